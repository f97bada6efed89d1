import { ProgressLine, formatSeconds, formatTerm, matrixEta } from './progress-line';
import type { RunProgress } from './progress-sink';

/** A stream that is not a terminal (a log file, a pipe), collecting what is written. */
function logStream(): NodeJS.WriteStream & { lines: string[] } {
  const lines: string[] = [];
  return { isTTY: false, lines, write: (chunk: string) => (lines.push(chunk), true) } as unknown as NodeJS.WriteStream & { lines: string[] };
}

const progress = (step: number, totalSteps: number, trainedSeconds: number, secondsLeft: number | null): RunProgress =>
  ({ step, totalSteps, epoch: 0, logs: { loss: 1.5 }, trainedSeconds, secondsLeft });

describe('the progress line', () => {
  afterEach(() => jest.useRealTimers());

  it('formats seconds rounded once, never 60 seconds in a minute', () => {
    expect(formatSeconds(42.4)).toBe('42s');
    expect(formatSeconds(59.6)).toBe('1m00s');
    expect(formatSeconds(3299.6)).toBe('55m00s');
    expect(formatSeconds(3239.7)).toBe('54m00s');
    expect(formatSeconds(61)).toBe('1m01s');
    expect(formatSeconds(7384)).toBe('2h03m04s');
    expect(formatSeconds(-3)).toBe('0s');
  });

  it('writes a plain line at the first step, then about every 10 s, and at the last step, when not on a terminal', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const stream = logStream();
    const line = new ProgressLine('run', stream);
    line.start();
    const steps = 100;
    for (let step = 1; step <= steps; step++) {
      jest.setSystemTime(1_000_000 + step * 1500); // 1.5 s a step
      line.step(progress(step, steps, step * 1.5, (steps - step) * 1.5));
    }
    // step 1 at 1.5 s, then the first step at least 10 s after the last line: 8, 15, 22, ... 99; and 100
    const printed = stream.lines.map((l) => Number(/ (\d+)\/100 /.exec(l)![1]));
    expect(printed).toEqual([1, 8, 15, 22, 29, 36, 43, 50, 57, 64, 71, 78, 85, 92, 99, 100]);
    expect(stream.lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(stream.lines[7]).toMatch(/ 50\/100 ep 1 \| loss 1\.500 \| 1m15s < 1m15s\n$/);
  });

  it('shows a small term with three significant digits instead of 0.000, and others with three decimals', () => {
    expect([0.00012345, -0.0001, 0, 0.0005, 0.03125, 2.5, NaN].map(formatTerm)).toEqual(['0.000123', '-0.000100', '0.000', '0.001', '0.031', '2.500', 'NaN']);
    const stream = logStream();
    new ProgressLine('unimatch', stream).step({ ...progress(1, 10, 1, 9), logs: { loss: 0.2, 'loss/ipixmatch': 0.0000421 } });
    expect(stream.lines[0]).toContain('loss 0.200 ipixmatch 0.0000421 |');
  });

  it('estimates the time left of a matrix from the runs trained so far', () => {
    expect(matrixEta([], 5)).toBeUndefined();
    expect(matrixEta([10, 30], 3)).toBe(60);
    expect(matrixEta([10], 0)).toBe(0);
  });
});

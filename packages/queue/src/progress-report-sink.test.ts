import type { RunProgress } from '@ssseg/runner';
import { ProgressReportSink, type JobProgress } from './progress-report-sink';

const progress = (step: number): RunProgress => ({ step, totalSteps: 8, epoch: 0, logs: {}, trainedSeconds: 0, secondsLeft: null });

describe("the queue's progress reports", () => {
  it('reports the step and the total at the start and then at most once per interval', async () => {
    const reports: JobProgress[] = [];
    const sink = new ProgressReportSink(async (p) => void reports.push(p), 60_000);
    sink.start(progress(3)); // a resumed run starts at its checkpoint's step
    for (let step = 4; step <= 8; step++) await sink.step(progress(step));
    expect(reports).toEqual([{ step: 3, total: 8 }]);
    const every = new ProgressReportSink(async (p) => void reports.push(p), 0);
    for (let step = 1; step <= 2; step++) await every.step(progress(step));
    expect(reports.slice(1)).toEqual([{ step: 1, total: 8 }, { step: 2, total: 8 }]);
  });

  it('gives the event loop a turn after every step (BullMQ renews the job lock then), and a failed report does not stop the run', async () => {
    const sink = new ProgressReportSink(() => Promise.reject(new Error('redis went away')), 0);
    for (let step = 1; step <= 3; step++) {
      let turned = false;
      setImmediate(() => (turned = true));
      // resolved by microtasks alone, the step would end before this callback ran
      await sink.step(progress(step));
      expect(turned).toBe(true);
    }
  });
});

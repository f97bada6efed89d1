import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { nativeUnavailableReason } from '@ssseg/engine';
import { readMetrics } from '@ssseg/core';
import { cliTesting } from '@ssseg/cli';

const { killAt, runCliProcess } = cliTesting;

// 40 steps, a checkpoint every 4 and one evaluation at the end; a progress line every second
const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-resume-time-'));
const config = {
  model: { type: 'unet', baseWidth: 16, depth: 2 },
  data: { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 64, cacheDir: path.join(root, 'cache') },
  train: { epochs: 100, maxSteps: 40, evalEverySteps: 40, batchSize: 4, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } },
  engine: { backend, threads: 1 },
  hooks: { checkpoint: { everySteps: 4 }, progress: { everySeconds: 1 }, gallery: false },
};

/** `label [bar] 13/40 ep 1 | loss 0.690 | 5s < 14s` as numbers. */
function progressLines(stderr: string): { step: number; elapsed: number; left: number }[] {
  const seconds = (s: string) => {
    const m = /^(?:(\d+)h)?(?:(\d+)m)?(\d+)s$/.exec(s)!;
    return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
  };
  return [...stderr.matchAll(/ (\d+)\/40 ep \d+ \|.*\| (\S+) < (\S+)\n/g)].map((m) => ({ step: Number(m[1]), elapsed: seconds(m[2]), left: seconds(m[3]) }));
}

const stepTimes = (dir: string) => new Map(readMetrics(path.join(dir, 'metrics.jsonl')).filter((r) => r.event === 'step').map((r) => [r.step as number, r.time as number]));
const doneSeconds = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'DONE'), 'utf8')) as { wallSeconds: number }).wallSeconds;

jest.setTimeout(600_000);

afterAll(() => {
  cliTesting.killStartedProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a run killed with SIGKILL at step 12 of 40 and resumed', () => {
  it("reports the time left at the resumed process's pace, and DONE's wallSeconds over both processes", async () => {
    const file = path.join(root, 'run.yaml');
    fs.writeFileSync(file, YAML.stringify(config));
    const straight = path.join(root, 'straight'), killed = path.join(root, 'killed');
    const uninterrupted = await runCliProcess(['train', '--config', file, '--out', straight]);
    expect(uninterrupted.code).toBe(0);
    await killAt(['train', '--config', file, '--out', killed], 'after-step:12');
    const resumed = await runCliProcess(['train', '--resume', killed]);
    expect(resumed.code).toBe(0);

    // independent reference: the step records' times; steps 1-12 of the first process, 13-40 of the resumed one
    const times = stepTimes(killed);
    const firstProcess = (times.get(12)! - times.get(1)!) / 1000;
    const resumedPace = (times.get(40)! - times.get(13)!) / 1000 / 27;

    // the first line after the resume (step 13): 27 steps left at this process's pace (a one-step
    // sample with the process's warm-up in it); counted over 13 steps as though all took this
    // process's time, it would say about 1/13 of that
    const lines = progressLines(resumed.stderr);
    expect(lines[0].step).toBe(13);
    const expectedLeft = resumedPace * 27;
    expect(lines[0].left).toBeGreaterThanOrEqual(Math.floor(expectedLeft * 0.5));
    expect(lines[0].left).toBeLessThanOrEqual(Math.ceil(expectedLeft * 4));
    // and lines halfway through within a factor of 2 of the pace the step records show
    const middle = lines.find((l) => l.step >= 24 && l.step < 40);
    if (middle) {
      const left = resumedPace * (40 - middle.step);
      expect(middle.left).toBeGreaterThanOrEqual(Math.floor(left * 0.5));
      expect(middle.left).toBeLessThanOrEqual(Math.ceil(left * 2));
    }
    // the time trained counts the first process's steps too
    expect(lines[0].elapsed).toBeGreaterThanOrEqual(Math.floor(firstProcess));

    // DONE: the first process's time up to its checkpoint at 12 and the resumed process's
    const wall = doneSeconds(killed), straightWall = doneSeconds(straight);
    expect(wall).toBeGreaterThan(firstProcess + resumedPace * 27);
    expect(Math.abs(wall - straightWall)).toBeLessThan(straightWall * 0.5);
    const end = readMetrics(path.join(killed, 'metrics.jsonl')).find((r) => r.event === 'end')!;
    expect(end.wallSeconds).toBe(wall);
  });
});

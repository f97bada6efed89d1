import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { callHooks, sortHooks } from './hooks';
import { EpochActionHook, StepActionHook } from './periodic';
import { MetricsWriter, StepLogHook, readMetrics } from './metrics-log';
import type { Hook, HookContext } from '../tokens';

function context(overrides: Partial<HookContext> = {}): HookContext {
  return { epoch: 0, step: 0, totalSteps: 10, logs: {}, stop: () => undefined, state: {}, ...overrides };
}

describe('hooks', () => {
  it('sorts by priority, keeping registration order for ties, and names a failing hook', async () => {
    const order: string[] = [];
    const mk = (type: string, priority: number, fail = false): Hook => ({
      type, priority, beforeRun: () => {
        if (fail) throw new Error('disk full');
        order.push(type);
      },
    });
    const hooks = sortHooks([mk('checkpoint', 90), mk('ema', 10), mk('lr', 20), mk('ema2', 10)]);
    await callHooks(hooks, 'beforeRun', context());
    expect(order).toEqual(['ema', 'ema2', 'lr', 'checkpoint']);
    await expect(callHooks([mk('writer', 1, true)], 'beforeRun', context())).rejects.toThrow("hook 'writer' failed in beforeRun: disk full");
  });

  it('runs an epoch action every n epochs, at the last epoch, and once at the end of a run cut mid-epoch', async () => {
    const ran: number[] = [];
    const hook = new EpochActionHook('eval', 70, 2, (ctx) => void ran.push(ctx.epoch));
    for (let epoch = 0; epoch < 5; epoch++) await hook.afterEpoch(context({ epoch, step: (epoch + 1) * 2, totalSteps: 10 }));
    expect(ran).toEqual([1, 3, 4]);
    await hook.afterRun(context({ epoch: 4, step: 10 }));
    expect(ran).toEqual([1, 3, 4]);
    await hook.afterRun(context({ epoch: 5, step: 11 }));
    expect(ran).toEqual([1, 3, 4, 5]);
    await hook.afterRun(context({ epoch: 6, step: 12, state: { failed: true } }));
    expect(ran).toHaveLength(4);
  });

  it('runs a step action every n steps and once more at an end between them', async () => {
    const ran: number[] = [];
    const hook = new StepActionHook('eval', 70, 3, (ctx) => void ran.push(ctx.step));
    for (let step = 1; step <= 7; step++) await hook.afterStep(context({ step }));
    await hook.afterRun(context({ step: 7 }));
    expect(ran).toEqual([3, 6, 7]);
    await hook.afterRun(context({ step: 7 }));
    expect(ran).toEqual([3, 6, 7]);
  });

  it('writes one JSON line per step with images per second, and truncates on resume', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-log-')), 'metrics.jsonl');
    const writer = new MetricsWriter(file);
    const hook = new StepLogHook(writer, 16);
    hook.beforeRun();
    for (let step = 1; step <= 3; step++) hook.afterStep(context({ step, logs: { loss: 1 / step, lr: 0.1 } }));
    const records = readMetrics(file);
    expect(records.map((r) => r.step)).toEqual([1, 2, 3]);
    expect(records[0]).toMatchObject({ event: 'step', loss: 1, lr: 0.1 });
    expect(records[0].imagesPerSecond).toBeGreaterThan(0);
    writer.truncateAfter(2);
    expect(readMetrics(file).map((r) => r.step)).toEqual([1, 2]);
    // a process killed while appending leaves a torn last line: dropped, with a warning naming it
    fs.appendFileSync(file, '{"event":"step","st');
    const warnings: string[] = [];
    expect(readMetrics(file, (w) => warnings.push(w)).map((r) => r.step)).toEqual([1, 2]);
    expect(warnings).toEqual([expect.stringMatching(/metrics\.jsonl:3: dropped a torn last line/)]);
    // resuming rewrites the file whole, so the next record is not glued to the torn one
    new MetricsWriter(file).truncateAfter(2, () => undefined);
    expect(fs.readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    // anywhere else a bad line is corruption, named by line
    fs.appendFileSync(file, '{broken\n{"event":"step","step":3,"epoch":0,"time":0}\n');
    expect(() => readMetrics(file)).toThrow(/metrics\.jsonl:3: not a JSON line/);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf, initEngine } from '@ssseg/engine';
import {
  ComponentOptions, Hook, HookPriority, PluginHost, RunFolder, definePlugin, parseRunConfig, provide, readMetrics,
  type HookContext, type RunConfigInput,
} from '@ssseg/core';
import { fixturesPlugin, stripesLoader } from '@ssseg/core/testing';
import { Runner } from './runner';

/** A hook type a config adds: it writes to ctx.logs (before the metrics log when moved there) and records what it saw. */
@injectable()
class Probe implements Hook {
  static readonly type = 'probe';
  static options = z.strictObject({ label: z.string(), file: z.string().optional() });
  static seen: string[] = [];
  readonly type = 'probe';
  readonly priority = HookPriority.LOWEST;

  constructor(@inject(ComponentOptions) private readonly opts: z.infer<typeof Probe.options>, @inject(RunFolder) private readonly folder: string) {}

  afterStep(ctx: HookContext): void {
    ctx.logs[`probe/${this.opts.label}`] = ctx.step * 10;
    if (ctx.state.evaluation?.step === ctx.step) Probe.seen.push(`${this.opts.label} sees the evaluation of step ${ctx.step}`);
    Probe.seen.push(`${this.opts.label} after step ${ctx.step}: last checkpoint at ${ctx.state.checkpointedAt}`);
  }

  afterRun(ctx: HookContext): void {
    if (this.opts.file) fs.writeFileSync(path.join(this.folder, this.opts.file), String(ctx.step));
  }
}

const probePlugin = definePlugin({ name: 'probe', version: '1.0.0', module: new ContainerModule(({ bind }) => provide(bind, Hook, Probe)) });

function host(): PluginHost {
  const h = new PluginHost();
  h.load(fixturesPlugin);
  h.load(probePlugin);
  return h;
}

const config = (extra: Partial<RunConfigInput> = {}) => parseRunConfig({
  method: { type: 'plain-supervised' },
  model: { type: 'tiny' },
  data: { type: 'stripes', train: 8 },
  train: { epochs: 1, batchSize: 2, lr: 0.05, evalEverySteps: 2, optimizer: { type: 'sgd' } },
  engine: { backend: 'cpu' },
  ...extra,
});

const seen = (what: RegExp) => Probe.seen.filter((line) => what.test(line));

describe('a run\'s hooks: its own by name, the config\'s and the caller\'s, in priority order', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-runner-'));
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });
  beforeEach(() => {
    Probe.seen = [];
  });

  it('orders config hooks among the run\'s own by priority and gives them the run folder', async () => {
    const out = path.join(root, 'hooks');
    const calls: string[] = [];
    const caller: Hook = { type: 'caller', priority: HookPriority.LOWEST, afterRun: (ctx) => void calls.push(`afterRun ${ctx.step}`), dispose: () => void calls.push('dispose') };
    const before = tf.memory().numTensors;
    const result = await Runner.fromConfig(config({
      hooks: { late: { type: 'probe', label: 'late', file: 'late.txt' }, early: { type: 'probe', label: 'early', priority: 'HIGH', file: 'early.txt' } },
    }), { out, host: host(), createLoader: stripesLoader, quiet: true, hooks: [caller] }).run();
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ steps: 4, failed: false });
    // early (HIGH) runs before the metrics log (NORMAL), which writes its number; late (LOWEST, its own) after, so its is not written
    const steps = readMetrics(path.join(out, 'metrics.jsonl')).filter((r) => r.event === 'step');
    expect(steps.map((r) => [r.step, r['probe/early'], r['probe/late']])).toEqual([[1, 10, undefined], [2, 20, undefined], [3, 30, undefined], [4, 40, undefined]]);
    for (const r of steps) expect(r.imagesPerSecond as number).toBeGreaterThan(0);
    // the evaluation (LOW) comes after HIGH and before LOWEST
    expect(seen(/sees/)).toEqual(['late sees the evaluation of step 2', 'late sees the evaluation of step 4']);
    expect(fs.readFileSync(path.join(out, 'early.txt'), 'utf8')).toBe('4');
    expect(calls).toEqual(['afterRun 4', 'dispose']);
    // the gallery hook recorded both evaluations
    const gallery = JSON.parse(fs.readFileSync(path.join(out, 'gallery', 'index.json'), 'utf8'));
    expect(gallery.evaluations.map((e: { step: number }) => e.step)).toEqual([2, 4]);
  });

  it("a default hook's options come from the config: checkpoints every 3 steps as well as at the evaluations", async () => {
    const train = { epochs: 2, batchSize: 2, lr: 0.05, evalEverySteps: 4, optimizer: { type: 'sgd' } };
    const run = async (name: string, hooks: RunConfigInput['hooks']) => {
      Probe.seen = [];
      await Runner.fromConfig(config({ train, hooks: { probe: { type: 'probe', label: 'p' }, ...hooks } }), { out: path.join(root, name), host: host(), createLoader: stripesLoader, quiet: true }).run();
      return seen(/after step/).map((line) => Number(/at (-?\d+)$/.exec(line)![1]));
    };
    // the checkpoint (VERY_LOW) is written before the probe (LOWEST) looks
    expect(await run('default-checkpoints', {})).toEqual([-1, -1, -1, 4, 4, 4, 4, 8]);
    expect(await run('checkpoint-every-3', { checkpoint: { everySteps: 3 } })).toEqual([-1, -1, 3, 4, 4, 6, 6, 8]);
  });

  it('switches the gallery off with false, and a priority moves a default hook', async () => {
    const out = path.join(root, 'no-gallery');
    const result = await Runner.fromConfig(config({
      hooks: { gallery: false, evaluation: { priority: 'HIGHEST' }, early: { type: 'probe', label: 'early', priority: 'HIGH' } },
    }), { out, host: host(), createLoader: stripesLoader, quiet: true }).run();
    expect(result).toMatchObject({ steps: 4, bestMiou: expect.any(Number) });
    expect(fs.existsSync(path.join(out, 'gallery'))).toBe(false);
    // the evaluation now runs before the HIGH probe: it sees each evaluation at its step
    expect(seen(/sees/)).toEqual(['early sees the evaluation of step 2', 'early sees the evaluation of step 4']);
  });

  it('a hook name, type or option that is wrong is an error naming its config path, and the folder is left as it was', async () => {
    const out = path.join(root, 'bad-hook');
    const run = (hooks: RunConfigInput['hooks']) =>
      Runner.fromConfig(config({ hooks }), { out, source: 'run.yaml', host: host(), createLoader: stripesLoader, quiet: true }).run();
    const before = tf.memory().numTensors;
    await expect(run({ checkpoint: { everyStep: 5 } })).rejects.toThrow(/run\.yaml: hooks\.checkpoint\.everyStep: unknown key; did you mean 'everySteps'\?/);
    await expect(run({ gallery: { images: 100 } })).rejects.toThrow(/run\.yaml: hooks\.gallery\.images: /);
    await expect(run({ galery: false })).rejects.toThrow(/run\.yaml: hooks\.galery: a run has no hook named 'galery' \(its hooks: interrupt, stop-after-steps, metrics-log, progress, evaluation, gallery, checkpoint, test-pause\)/);
    await expect(run({ extra: { label: 'x' } })).rejects.toThrow(/run\.yaml: hooks\.extra: a run has no hook named 'extra'.*to add one, give its type/);
    await expect(run({ extra: { type: 'prob' } })).rejects.toThrow(/run\.yaml: hooks\.extra\.type: unknown Hook type 'prob'\./);
    await expect(run({ extra: { type: 'probe', label: 'x', fil: 'x' } })).rejects.toThrow(/run\.yaml: hooks\.extra\.fil: unknown key; did you mean 'file'\?/);
    expect(tf.memory().numTensors).toBe(before);
    // it did not exist before: the run takes back the folder it made
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a hook priority that is neither a HookPriority name nor a number, or a list of hooks, is refused by the config schema', () => {
    expect(() => config({ hooks: { gallery: { priority: 'SOMETIMES' as 'LOW' } } })).toThrow(/hooks\.gallery: expected false \(the hook off\) or the hook's options, with priority one of HIGHEST, VERY_HIGH, .* or a number/);
    expect(() => config({ hooks: [{ type: 'tensorboard' }] as unknown as RunConfigInput['hooks'] })).toThrow(/hooks: expected a map of hooks by name/);
  });
});

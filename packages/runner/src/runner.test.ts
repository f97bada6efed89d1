import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf, initEngine } from '@ssseg/engine';
import {
  ComponentOptions, Hook, HookPriority, PluginHost, RunFolder, definePlugin, parseRunConfig, provide, readMetrics, testing,
  type EvaluationRecord, type HookContext, type RunConfigInput,
} from '@ssseg/core';
import { Runner } from './runner';

const { fixturesPlugin, stripesLoader } = testing;

/** A hook type a config lists: it writes to ctx.logs before the metrics log and records what it saw. */
@injectable()
class Probe implements Hook {
  static readonly type = 'probe';
  static options = z.strictObject({ priority: z.enum(['HIGH', 'LOWEST']), file: z.string() });
  static seen: string[] = [];
  readonly type = 'probe';
  readonly priority: number;

  constructor(@inject(ComponentOptions) private readonly opts: z.infer<typeof Probe.options>, @inject(RunFolder) private readonly folder: string) {
    this.priority = HookPriority[opts.priority];
  }

  afterStep(ctx: HookContext): void {
    ctx.logs[`probe/${this.opts.priority}`] = ctx.step * 10;
    const evaluation = ctx.state.evaluation as EvaluationRecord | undefined;
    if (evaluation?.step === ctx.step) Probe.seen.push(`${this.opts.priority} sees the evaluation of step ${ctx.step}`);
  }

  afterRun(ctx: HookContext): void {
    fs.writeFileSync(path.join(this.folder, this.opts.file), String(ctx.step));
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

describe('a run\'s hooks: its own, the config\'s and the caller\'s, in priority order', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-runner-'));
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('orders config hooks among the run\'s own by priority and gives them the run folder', async () => {
    Probe.seen = [];
    const out = path.join(root, 'hooks');
    const calls: string[] = [];
    const caller: Hook = { type: 'caller', priority: HookPriority.LOWEST, afterRun: (ctx) => void calls.push(`afterRun ${ctx.step}`), dispose: () => void calls.push('dispose') };
    const before = tf.memory().numTensors;
    const result = await Runner.fromConfig(config({
      hooks: [{ type: 'probe', priority: 'LOWEST', file: 'late.txt' }, { type: 'probe', priority: 'HIGH', file: 'early.txt' }],
    }), { out, host: host(), createLoader: stripesLoader, quiet: true, hooks: [caller] }).run();
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ steps: 4, failed: false });
    // HIGH runs before the metrics log (NORMAL), which writes its number; LOWEST after, so its is not written
    const steps = readMetrics(path.join(out, 'metrics.jsonl')).filter((r) => r.event === 'step');
    expect(steps.map((r) => [r.step, r['probe/HIGH'], r['probe/LOWEST']])).toEqual([[1, 10, undefined], [2, 20, undefined], [3, 30, undefined], [4, 40, undefined]]);
    for (const r of steps) expect(r.imagesPerSecond as number).toBeGreaterThan(0);
    // the evaluation (LOW) comes after HIGH and before LOWEST
    expect(Probe.seen).toEqual(['LOWEST sees the evaluation of step 2', 'LOWEST sees the evaluation of step 4']);
    expect(fs.readFileSync(path.join(out, 'early.txt'), 'utf8')).toBe('4');
    expect(calls).toEqual(['afterRun 4', 'dispose']);
    // the gallery hook recorded both evaluations
    const gallery = JSON.parse(fs.readFileSync(path.join(out, 'gallery', 'index.json'), 'utf8'));
    expect(gallery.evaluations.map((e: { step: number }) => e.step)).toEqual([2, 4]);
  });

  it('a config hook that does not build is an error naming its config path, and the folder is left as it was', async () => {
    const out = path.join(root, 'bad-hook');
    const run = (hooks: RunConfigInput['hooks']) =>
      Runner.fromConfig(config({ hooks }), { out, source: 'run.yaml', host: host(), createLoader: stripesLoader, quiet: true }).run();
    const before = tf.memory().numTensors;
    await expect(run([{ type: 'probe', priority: 'HIGH', fil: 'x' }])).rejects.toThrow(/run\.yaml: hooks\[0\]\.fil: unknown key; did you mean 'file'\?/);
    await expect(run([{ type: 'prob' }])).rejects.toThrow(/run\.yaml: hooks\[0\]\.type: unknown Hook type 'prob'\. Known Hook types: probe/);
    expect(tf.memory().numTensors).toBe(before);
    // it did not exist before: the run takes back the folder it made
    expect(fs.existsSync(out)).toBe(false);
  });
});

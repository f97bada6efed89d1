import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initEngine } from '@ssseg/engine';
import { PluginHost, RUN_FILES, loadRunConfig, loadTensorFile, parseRunConfig, readMetrics } from '@ssseg/core';
import { Runner } from '@ssseg/runner';
import { fixturesPlugin, stripesLoader } from '@ssseg/core/testing';

const baseConfig = {
  method: { type: 'plain-supervised' },
  model: { type: 'tiny' },
  data: { type: 'stripes', train: 8 },
  train: { epochs: 3, batchSize: 2, lr: 0.05, seed: 3, optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 1e-4 } },
  engine: { backend: 'cpu' },
};

function host(): PluginHost {
  const h = new PluginHost();
  h.load(fixturesPlugin);
  return h;
}

function weights(file: string): Map<string, number[]> {
  const { tensors } = loadTensorFile(file);
  const out = new Map([...tensors].filter(([n]) => n.startsWith('model/')).map(([n, t]) => [n, Array.from(t.dataSync())]));
  tf.dispose([...tensors.values()]);
  return out;
}

describe('training run', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-run-'));
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('writes config, metrics, checkpoints and DONE, and learns', async () => {
    const before = tf.memory().numTensors;
    const outDir = path.join(root, 'full');
    const result = await Runner.fromConfig(parseRunConfig(baseConfig), { out: outDir, host: host(), createLoader: stripesLoader, quiet: true }).run();
    expect(result).toMatchObject({ steps: 12, failed: false });
    expect(tf.memory().numTensors).toBe(before);
    for (const f of ['config.yaml', 'metrics.jsonl', 'last.ckpt', 'best.ckpt', 'DONE']) expect(fs.existsSync(path.join(outDir, f))).toBe(true);
    const metrics = readMetrics(path.join(outDir, 'metrics.jsonl'));
    const steps = metrics.filter((m) => m.event === 'step');
    expect(steps.map((m) => m.step)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(steps[steps.length - 1].loss as number).toBeLessThan(steps[0].loss as number);
    const evals = metrics.filter((m) => m.event === 'eval');
    expect(evals).toHaveLength(3);
    expect(evals[0].classNames).toEqual(['background', 'stripe']);
    expect(JSON.parse(fs.readFileSync(path.join(outDir, 'DONE'), 'utf8')).finalMiou).toBe(evals[2].miou);
  });

  it('a run stopped mid-epoch and resumed ends with the same weights as one that was not stopped', async () => {
    const straight = path.join(root, 'straight');
    await Runner.fromConfig(parseRunConfig(baseConfig), { out: straight, host: host(), createLoader: stripesLoader, quiet: true }).run();
    const stopped = path.join(root, 'stopped');
    const cut = await Runner.fromConfig(parseRunConfig(baseConfig), {
      stopAfterSteps: 5, out: stopped, host: host(), createLoader: stripesLoader, quiet: true,
    }).run();
    expect(cut.steps).toBe(5);
    expect(fs.existsSync(path.join(stopped, 'DONE'))).toBe(false);
    // as `ssseg train --resume` continues it: the run folder's config, the folder resumed
    const resumed = await Runner.fromConfig(loadRunConfig(path.join(stopped, RUN_FILES.config)), {
      out: stopped, existing: 'resume', host: host(), createLoader: stripesLoader, quiet: true,
    }).run();
    expect(resumed.steps).toBe(12);
    const a = weights(path.join(straight, 'last.ckpt'));
    const b = weights(path.join(stopped, 'last.ckpt'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, values] of a) expect(b.get(name)).toEqual(values);
    const steps = readMetrics(path.join(stopped, 'metrics.jsonl')).filter((m) => m.event === 'step').map((m) => m.step);
    expect(steps).toEqual([...Array(12).keys()].map((i) => i + 1));
  });
});

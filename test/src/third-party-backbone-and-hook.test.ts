import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine, tf } from '@ssseg/engine';
import YAML from 'yaml';
import { Backbone, Hook, loadTensorFile, parseRunConfig, readMetrics } from '@ssseg/core';
import { Runner, createHost, assembleRun } from '@ssseg/runner';
import { cliTesting } from '@ssseg/cli';

const repoRoot = path.resolve(__dirname, '../..');

/** An encoder and hook plugin package outside the workspace, in plain JavaScript as npm would install it. */
const PLUGIN = `
const fs = require('fs');
const path = require('path');
const { ContainerModule, inject, injectable } = require('inversify');
const { z } = require('zod');
const core = require('@ssseg/core');
const models = require('@ssseg/models');

class TinyEncoder extends models.Backbone {
  constructor(outputStride, rng) {
    super();
    this.lowChannels = 4;
    this.highChannels = 6;
    this.outputStride = outputStride;
    this.down = this.registerModule('down', new models.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, stride: 4 }, rng));
    this.deep = this.registerModule('deep', new models.Conv2d({ inChannels: 4, outChannels: 6, kernelSize: 3, stride: outputStride / 4 }, rng));
  }
  forward(x) {
    globalThis.tinyEncoderForwards = (globalThis.tinyEncoderForwards || 0) + 1;
    const low = this.down.forward(x);
    return { low, high: this.deep.forward(low) };
  }
  toOnnx() {
    throw new Error('tiny-encoder has no ONNX graph');
  }
}

class TinyEncoderComponent {
  constructor(options) {
    this.type = 'tiny-encoder';
    this.options = options;
  }
  create(context) {
    return new TinyEncoder(context.outputStride, context.rng);
  }
}
TinyEncoderComponent.type = 'tiny-encoder';
TinyEncoderComponent.options = z.strictObject({});
inject(core.ComponentOptions)(TinyEncoderComponent, undefined, 0);
injectable()(TinyEncoderComponent);

/** Counts the steps it sees into the step's logs (before the metrics log writes them) and lists them in a file of the run. */
class VisitCounter {
  constructor(options, runFolder) {
    this.type = 'visit-counter';
    this.priority = core.HookPriority.HIGH;
    this.options = options;
    this.runFolder = runFolder;
    this.steps = [];
  }
  afterStep(ctx) {
    this.steps.push(ctx.step);
    ctx.logs['acme/visits'] = this.steps.length * this.options.scale;
  }
  afterRun() {
    fs.writeFileSync(path.join(this.runFolder, this.options.file), JSON.stringify(this.steps));
  }
}
VisitCounter.type = 'visit-counter';
VisitCounter.options = z.strictObject({ file: z.string(), scale: z.number().default(1) });
inject(core.ComponentOptions)(VisitCounter, undefined, 0);
inject(core.RunFolder)(VisitCounter, undefined, 1);
injectable()(VisitCounter);

module.exports = core.definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => {
    core.provide(bind, core.Backbone, TinyEncoderComponent);
    core.provide(bind, core.Hook, VisitCounter);
  }),
});
`;

/** A user project with the encoder plugin installed next to ssseg, found by discovery. */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-backbone-plugin-'));
  const pkgDir = path.join(dir, 'node_modules/@acme/ssseg-plugin-encoder');
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules/@ssseg'), { recursive: true });
  for (const p of ['core', 'models']) fs.symlinkSync(path.join(repoRoot, 'packages', p), path.join(dir, 'node_modules/@ssseg', p));
  for (const p of ['inversify', 'zod']) fs.symlinkSync(path.join(repoRoot, 'node_modules', p), path.join(dir, 'node_modules', p));
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({
    name: '@acme/ssseg-plugin-encoder', version: '1.2.3', main: 'index.js', ssseg: { plugin: './plugin.js' },
  }));
  fs.writeFileSync(path.join(pkgDir, 'index.js'), "throw new Error('not the plugin entry');");
  fs.writeFileSync(path.join(pkgDir, 'plugin.js'), PLUGIN);
  return dir;
}

const runConfig = (cacheDir: string, backbone: Record<string, unknown>) => parseRunConfig({
  method: { type: 'supervised' },
  model: { type: 'deeplabv3plus', backbone, asppChannels: 4, lowLevelChannels: 2, decoderChannels: 4 },
  data: { type: 'mnist-seg', size: 32, valSize: 4, canvas: 32, cacheDir },
  train: { epochs: 100, maxSteps: 2, batchSize: 2, lr: 0.01, evalEverySteps: 2, optimizer: { type: 'adam', weightDecay: 0 } },
  engine: { backend: 'cpu' },
});

describe('a backbone and a hook from a plugin outside the workspace', () => {
  const dir = project();
  const cacheDir = path.join(dir, 'cache');

  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('is found by discovery, built by DeepLabV3+ from the config, and trained', async () => {
    const host = createHost({ cwd: dir });
    expect(host.typesOf(Backbone)).toEqual(['mobilenetv2', 'resnet', 'tiny-encoder']);
    expect(host.plugins()).toContainEqual(expect.objectContaining({ name: '@acme/ssseg-plugin-encoder', version: '1.2.3' }));
    const config = runConfig(cacheDir, { type: 'tiny-encoder' });

    const before = tf.memory().numTensors;
    const run = assembleRun(host, config, 'test');
    const names = [...run.model.getWeights().keys()].filter((n) => n.startsWith('backbone.'));
    expect(names).toEqual(expect.arrayContaining(['backbone.down.weight', 'backbone.deep.weight']));
    expect(names.every((n) => /^backbone\.(down|deep)\./.test(n))).toBe(true);
    // the clone an EMA teacher makes is built through the plugin too
    const clone = run.model.clone();
    expect([...clone.getWeights().keys()]).toEqual([...run.model.getWeights().keys()]);
    clone.dispose();
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const forwards = (globalThis as { tinyEncoderForwards?: number }).tinyEncoderForwards ?? 0;
    const outDir = path.join(dir, 'run');
    const result = await Runner.fromConfig(config, { out: outDir, host, quiet: true }).run();
    expect(result.failed).toBe(false);
    expect(readMetrics(path.join(outDir, 'metrics.jsonl')).filter((r) => r.event === 'step')).toHaveLength(2);
    expect((globalThis as { tinyEncoderForwards?: number }).tinyEncoderForwards).toBeGreaterThan(forwards);
  });

  it('both are named by a run config and used, through the real CLI; a misspelt hook option is an error naming its path', () => {
    const config = (hook: Record<string, unknown>) => YAML.stringify({
      model: { type: 'deeplabv3plus', backbone: { type: 'tiny-encoder' }, asppChannels: 4, lowLevelChannels: 2, decoderChannels: 4 },
      data: { type: 'mnist-seg', size: 32, valSize: 4, canvas: 32, cacheDir },
      train: { epochs: 100, maxSteps: 3, batchSize: 2, lr: 0.01, evalEverySteps: 3, optimizer: { type: 'adam', weightDecay: 0 } },
      hooks: { visits: { type: 'visit-counter', ...hook } },
      engine: { backend: 'cpu', threads: 1 },
    });
    const train = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, `${name}.yaml`), text);
      // from the project's folder, as a user runs it: the plugin is found in its node_modules
      return spawnSync(process.execPath, [cliTesting.CLI_BIN, 'train', '--config', `${name}.yaml`, '--out', name], { cwd: dir, encoding: 'utf8' });
    };

    const ran = train('cli-run', config({ file: 'visits.json', scale: 2 }));
    expect(ran.stderr).not.toMatch(/\n\s+at /);
    expect(ran.status).toBe(0);
    const out = path.join(dir, 'cli-run');
    const steps = readMetrics(path.join(out, 'metrics.jsonl')).filter((r) => r.event === 'step');
    expect(steps.map((r) => [r.step, r['acme/visits']])).toEqual([[1, 2], [2, 4], [3, 6]]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'visits.json'), 'utf8'))).toEqual([1, 2, 3]);
    // the network trained is the plugin's encoder under DeepLabV3+'s head
    const { tensors } = loadTensorFile(path.join(out, 'last.ckpt'));
    const names = [...tensors.keys()];
    tf.dispose([...tensors.values()]);
    expect(names).toEqual(expect.arrayContaining(['model/backbone.down.weight', 'model/backbone.deep.weight', 'optim/backbone.down.weight/m']));

    const refused = train('cli-typo', config({ file: 'visits.json', scael: 2 }));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("cli-typo.yaml: hooks.visits.scael: unknown key; did you mean 'scale'?");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'cli-typo', 'metrics.jsonl'))).toBe(false);
    expect(createHost({ cwd: dir }).typesOf(Hook)).toEqual([
      'checkpoint', 'evaluation', 'gallery', 'interrupt', 'metrics-log', 'progress', 'stop-after-steps', 'tensorboard', 'test-pause', 'visit-counter',
    ]);
  });

  it('an unknown backbone type names the config path and the known types, plugins included', () => {
    const host = createHost({ cwd: dir });
    expect(() => assembleRun(host, runConfig(cacheDir, { type: 'tiny-encodr' }), 'run.yaml')).toThrow(
      /run\.yaml: model\.backbone\.type: unknown Backbone type 'tiny-encodr'\. Known Backbone types: mobilenetv2, resnet, tiny-encoder/,
    );
  });
});

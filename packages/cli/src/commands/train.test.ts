import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine, tf } from '@ssseg/engine';
import { optionsFor } from '@ssseg/core';
import { DeepLabV3Plus, writeOnnx } from '@ssseg/models';
import { runCli } from './cli-harness';
import { runCliProcess } from '../testing/kill-points';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-train-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
const data = { type: 'mnist-seg', size: 16, valSize: 2, cacheDir: path.join(dir, 'cache'), split: '1_4' };
const backbone = { type: 'resnet', depth: 18, stem: 'torchvision', baseWidth: 8 };
const heads = { asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 };

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, [`data: ${JSON.stringify(data)}`, 'train: { epochs: 1, batchSize: 2, seed: 1 }', ...lines].join('\n'));
  return file;
}

describe('ssseg train', () => {
  it('says what it read from backbone.pretrained as import-backbone says it: architecture, what was left out, what fits', async () => {
    const source = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 11, seed: 1, backbone, ...heads }));
    const onnxFile = path.join(dir, 'deeplab.onnx');
    writeOnnx(source, onnxFile, { inputShape: [1, 32, 32, 3] });
    const backboneWeights = [...source.getWeights()].filter(([name]) => name.startsWith('backbone.'));
    const fits = `fits: ${backboneWeights.length} tensors, ${backboneWeights.reduce((s, [, t]) => s + t.size, 0)} values`;
    source.dispose();
    const config = writeConfig('pretrained.yaml', [
      'method: { type: supervised }',
      `model: ${JSON.stringify({ type: 'deeplabv3plus', backbone: { ...backbone, pretrained: onnxFile }, ...heads })}`,
    ]);
    const trained = await runCliProcess(['--backend', 'cpu', 'train', '--config', config, '--out', path.join(dir, 'pretrained'), '--max-steps', '1']);
    expect(trained.code).toBe(0);
    const before = tf.memory().numTensors;
    const described = await runCli(['import-backbone', '--from', onnxFile]);
    const notes = described.out.split('\n').filter((line) => line && !line.startsWith('fits:') && !line.startsWith('use it'));
    expect(notes[0]).toMatch(/^ResNet-18 .* from an ONNX graph/);
    expect(described.out).toContain(`${fits} (nothing written: no --out)`);
    expect(tf.memory().numTensors).toBe(before);
    expect(trained.stderr).toContain([`backbone.pretrained ${onnxFile}:`, ...notes.map((n) => `  ${n}`), `  ${fits}`].join('\n'));
  }, 120_000);

  it('a config error leaves no run folder behind, and an existing folder as it was', async () => {
    const config = writeConfig('bad-model.yaml', ['method: { type: supervised }', 'model: { type: unet, baseWidth: 4, depth: 1, dropout: 2 }']);
    const fresh = path.join(dir, 'never', 'made');
    const refused = await runCli(['train', '--config', config, '--out', fresh]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`^ssseg: ${config}: model: invalid options for SegmentationModel 'unet'`, 'm'));
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
    const existing = path.join(dir, 'existing');
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'notes.txt'), 'mine');
    expect((await runCli(['train', '--config', config, '--out', existing])).code).toBe(1);
    expect(fs.readdirSync(existing)).toEqual(['notes.txt']);
  });

  it('an invalid --set value inside a component names the flag', async () => {
    const config = writeConfig('regularized.yaml', [
      'method: { type: supervised }',
      'model: { type: unet, baseWidth: 4, depth: 1 }',
      'regularizers: [{ type: entropy-min, weight: 0.1 }]',
    ]);
    const out = path.join(dir, 'regularized');
    const refused = await runCli(['train', '--config', config, '--set', 'regularizers[0].weight=abc', '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(new RegExp(`^ssseg: ${config} \\(with --set regularizers\\[0\\]\\.weight=abc\\): regularizers\\[0\\]: invalid options for Regularizer 'entropy-min'`, 'm'));
    expect(refused.err).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });
});

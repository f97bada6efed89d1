import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeIf, initEngine, tf } from '@ssseg/engine';
import { Rng, evaluate, loadTensorFile, optionsFor } from '@ssseg/core';
import { MnistSegDataset, sampleToInput } from '@ssseg/datasets';
import {
  DeepLabV3Plus, ResNet, expectedTensors, importModelWeights, loadBackboneWeights, torchUnavailableReason, writeOnnx, writeTorchFiles,
} from '@ssseg/models';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
const file = (name: string) => path.join(dir, name);
const deeplab = (seed: number) => new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 2, seed, backbone: { type: 'resnet', depth: 18, stem: 'torchvision' } }));
const BIN = path.resolve(__dirname, '../../dist/bin.js');

/** The built command in its own process, as a user runs it. */
function realCli(args: string[]): { code: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, [BIN, '--backend', 'cpu', ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

describe('ssseg import-backbone', () => {
  // an ssseg export keeps batch norm as its own node; the import finds the backbone in the whole model's graph
  it('round-trips the ResNet-18 backbone of an ONNX export of a whole DeepLabV3+ into a weight file loadBackboneWeights takes', async () => {
    const source = deeplab(1);
    const onnxFile = file('deeplab.onnx');
    writeOnnx(source, onnxFile, { inputShape: [1, 32, 32, 3] });
    const out = file('resnet18.weights');
    const before = tf.memory().numTensors;
    const { code, err, out: printed } = await runCli(['import-backbone', '--from', onnxFile, '--depth', '18', '--out', out]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(printed).toContain('ResNet-18 (torchvision stem) from an ONNX graph (matched by structure, not by names)');
    expect(printed).not.toContain('folded');
    expect(tf.memory().numTensors).toBe(before);
    const target = deeplab(2);
    loadBackboneWeights(target, out, { sourcePrefix: 'backbone.' });
    const expected = source.getWeights(), actual = target.getWeights();
    for (const [name, t] of expected) {
      if (!name.startsWith('backbone.')) continue;
      expect([name, ...actual.get(name)!.dataSync()]).toEqual([name, ...t.dataSync()]);
    }
    source.dispose();
    target.dispose();

    const wrong = await runCli(['import-backbone', '--from', onnxFile, '--depth', '50', '--out', out]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`${onnxFile}: the graph's ResNet has basic blocks; --depth 50 has bottleneck ones`);
    const depth = await runCli(['import-backbone', '--from', onnxFile, '--depth', '20', '--out', out]);
    expect(depth.err).toMatch(/--depth expects 18, 34, 50 or 101, got '20'/);
  });
});

describeIf(torchUnavailableReason(), 'ssseg import-backbone and eval on files PyTorch wrote', () => {
  const evalData = { type: 'mnist-seg', size: 16, valSize: 4, cacheDir: file('cache') };
  const evalModel = { backbone: { type: 'resnet', depth: 18, baseWidth: 4 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 };
  const evalConfig = file('unimatch-mnist.yaml');

  beforeAll(() => {
    // a resnet18 state dict with one tensor missing, one extra and one of another shape
    const resnet18 = new ResNet({ depth: 18, stem: 'torchvision', outputStride: 32 }, Rng.fromSeed(0));
    const shapes = Object.fromEntries(
      [...expectedTensors(resnet18)]
        .filter(([n]) => n !== 'layer4.1.bn2.running_var')
        .map(([n, e]) => [n, n === 'bn1.bias' ? [32] : e.torchShape]),
    );
    resnet18.dispose();
    shapes['layer4.1.extra.weight'] = [8];
    fs.writeFileSync(file('broken-shapes.json'), JSON.stringify(shapes));
    // a UniMatch-layout checkpoint of the eval config's model (random values)
    fs.writeFileSync(evalConfig, `method: { type: unimatch }\nmodel: ${JSON.stringify({ type: 'deeplabv3plus', ...evalModel })}\ndata: ${JSON.stringify(evalData)}\n`);
    const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 11, ...evalModel }));
    fs.writeFileSync(file('eval-shapes.json'), JSON.stringify(Object.fromEntries([...expectedTensors(model)].map(([n, e]) => [n, e.torchShape]))));
    model.dispose();
    writeTorchFiles([
      { arch: 'resnet18', kind: 'state-dict', out: file('resnet18.pth'), size: 32 },
      { arch: 'resnet18', kind: 'evil', out: file('evil.pth'), size: 32 },
      { arch: `shapes:${file('broken-shapes.json')}`, kind: 'state-dict', out: file('broken.pth'), size: 32 },
      { arch: `shapes:${file('eval-shapes.json')}`, kind: 'checkpoint', out: file('unimatch-mnist.pth'), size: 32 },
    ], dir);
  });

  it('describes a torchvision .pth and writes it as an ssseg weight file', async () => {
    const check = await runCli(['import-backbone', '--from', file('resnet18.pth')]);
    expect(check.err).toBe('');
    expect(check.out).toContain('ResNet-18 (torchvision stem) from a PyTorch state dict');
    expect(check.out).toContain("left out 2 tensors: ImageNet classifier ('fc.weight', 'fc.bias')");
    expect(check.out).toContain(`use it in a config: model: { type: deeplabv3plus, backbone: { type: resnet, depth: 18, stem: torchvision, pretrained: ${file('resnet18.pth')} } }`);
    const out = file('from-pth.weights');
    const { code } = await runCli(['import-backbone', '--from', file('resnet18.pth'), '--out', out, '--depth', '18']);
    expect(code).toBe(0);
    // the values are importBackbone's, checked against PyTorch's features in @ssseg/models
    const written = loadTensorFile(out);
    expect(written.tensors.size).toBe(100);
    expect(written.meta).toMatchObject({ format: 'ssseg-weights-1', backbone: { type: 'resnet', depth: 18, stem: 'torchvision' }, source: 'resnet18.pth' });
    expect(written.tensors.get('backbone.layer1.0.conv1.weight')!.shape).toEqual([3, 3, 64, 64]);
    tf.dispose([...written.tensors.values()]);
    const asked = await runCli(['import-backbone', '--from', file('resnet18.pth'), '--stem', 'deep']);
    expect(asked.code).toBe(1);
    expect(asked.err).toContain(`${file('resnet18.pth')}: the file holds a ResNet-18 (torchvision stem); --stem asks for deep`);
  });

  it('names every missing, extra and mis-shaped tensor, and with --strict false imports the rest and lists them', async () => {
    const strict = await runCli(['import-backbone', '--from', file('broken.pth'), '--out', file('broken.weights')]);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain(`${file('broken.pth')}: the weights do not fit ResNet-18 (torchvision stem):`);
    expect(strict.err).toContain("not in the model: 'layer4.1.extra.weight' [8]");
    expect(strict.err).toContain("wrong shape: 'bn1.bias' is [32] in the file, the model expects [64]");
    expect(strict.err).toContain("missing: 'layer4.1.bn2.running_var' [512]");
    expect(fs.existsSync(file('broken.weights'))).toBe(false);
    const loose = await runCli(['import-backbone', '--from', file('broken.pth'), '--strict', 'false']);
    expect(loose.code).toBe(0);
    expect(loose.out).toContain('skipped (--strict false), the model keeps its own values:');
    for (const line of ["not in the model: 'layer4.1.extra.weight' [8]", "wrong shape: 'bn1.bias'", "missing: 'layer4.1.bn2.running_var' [512]"]) expect(loose.out).toContain(line);
    expect(loose.out).toMatch(/fits: 98 tensors, \d+ values \(nothing written: no --out\)\nto start a model from what fits, write it with --out/);
  });

  it('refuses, through the built command, a .pth that would run code and a torn .pth, without a stack trace', () => {
    expect(fs.existsSync(BIN)).toBe(true);
    const evil = realCli(['import-backbone', '--from', file('evil.pth')]);
    expect(evil.code).toBe(1);
    expect(evil.err).toMatch(/evil\.pth: .*data\.pkl: refuses the global '(posix|os)\.system' at byte \d+/);
    expect(evil.err).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(file('evil.pth.ran'))).toBe(false);
    const bytes = fs.readFileSync(file('resnet18.pth'));
    fs.writeFileSync(file('torn.pth'), bytes.subarray(0, bytes.length >> 1));
    const torn = realCli(['import-backbone', '--from', file('torn.pth')]);
    expect(torn.code).toBe(1);
    expect(torn.err).toMatch(/torn\.pth: .*truncated/);
    expect(torn.err).not.toMatch(/^\s+at /m);
  });

  it('ssseg eval evaluates a UniMatch-layout PyTorch checkpoint directly', async () => {
    const checkpoint = file('unimatch-mnist.pth');
    const { code, out, err } = await runCli(['eval', '--config', evalConfig, '--checkpoint', checkpoint, '--json']);
    expect(code).toBe(0);
    expect(err).not.toMatch(/\n\s+at /);
    // --json says what was read in the object, as it says which weights of an ssseg checkpoint
    expect(JSON.parse(out)).toMatchObject({ weights: 'student', weightsReason: expect.stringContaining("whole model from a PyTorch checkpoint, state dict under 'model'; names prefixed 'module.'") });
    const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 11, ...evalModel }));
    const imported = importModelWeights(model, checkpoint);
    model.setWeights(imported.tensors, { strict: true });
    tf.dispose([...imported.tensors.values()]);
    const { type: _type, ...options } = evalData;
    const expected = await evaluate(model, new MnistSegDataset(optionsFor(MnistSegDataset, options)).validation(), { numClasses: 11, mode: 'full', toInput: (s) => sampleToInput(s) });
    expect(JSON.parse(out).miou).toBeCloseTo(expected.miou, 10);
    model.dispose();
  });
});

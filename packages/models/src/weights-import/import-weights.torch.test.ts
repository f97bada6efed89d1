import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeIf, expectNoLeak, initEngine, tf } from '@ssseg/engine';
import { Rng, optionsFor } from '@ssseg/core';
import { ResNet } from '../backbones/resnet';
import { MobileNetV2 } from '../backbones/mobilenetv2';
import type { Backbone } from '../backbones/backbone';
import { DeepLabV3Plus } from '../deeplabv3plus';
import { describeBackbone } from './backbone-spec';
import { detectBackbone, importBackbone, importModelWeights } from './import-weights';
import { relativeError, torchOutputs, torchUnavailableReason, writeTorchFiles, type TorchJob } from './torch-reference';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-weights-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => path.join(dir, name);

interface Case extends TorchJob {
  expect: string;
  /** The ssseg backbone the features are compared on (output stride as the PyTorch net's). */
  build: () => Backbone;
  folded?: boolean;
}
const rng = () => Rng.fromSeed(3);
const resnet = (depth: 18 | 34 | 50 | 101, stem: 'deep' | 'torchvision', outputStride: 16 | 32 = 32) => () => new ResNet({ depth, stem, outputStride }, rng());
// ResNet-34 and 50 prove the layouts of 101 (more bottleneck blocks) and of 34 (more basic ones), so
// the largest is not written; deep-stem ResNet-50 has layer4 dilated (replace_stride_with_dilation), as UniMatch's
const cases: Case[] = [
  { arch: 'resnet18', kind: 'state-dict', out: file('resnet18.pth'), size: 32, expect: 'ResNet-18 (torchvision stem)', build: resnet(18, 'torchvision') },
  { arch: 'resnet34', kind: 'state-dict', out: file('resnet34.pth'), size: 32, expect: 'ResNet-34 (torchvision stem)', build: resnet(34, 'torchvision') },
  { arch: 'resnet50', kind: 'state-dict', out: file('resnet50.pth'), size: 32, expect: 'ResNet-50 (torchvision stem)', build: resnet(50, 'torchvision') },
  { arch: 'mobilenet_v2', kind: 'state-dict', out: file('mobilenet_v2.pth'), size: 32, expect: 'MobileNetV2 (width 1)', build: () => new MobileNetV2({ widthMultiplier: 1, outputStride: 32 }, rng()) },
  // torchvision's mobilenet_v2-b0353104.pth is in the format before PyTorch 1.6
  { arch: 'mobilenet_v2', kind: 'legacy', out: file('mobilenet_v2-legacy.pth'), size: 32, expect: 'MobileNetV2 (width 1)', build: () => new MobileNetV2({ widthMultiplier: 1, outputStride: 32 }, rng()) },
  { arch: 'deep-resnet50', kind: 'checkpoint', out: file('deep-resnet50-checkpoint.pth'), size: 32, expect: "ResNet-50 (deep stem, UniMatch's layout)", build: resnet(50, 'deep', 16) },
  { arch: 'deep-resnet18', kind: 'safetensors', out: file('deep-resnet18.safetensors'), size: 32, expect: "ResNet-18 (deep stem, UniMatch's layout)", build: resnet(18, 'deep') },
  { arch: 'resnet18', kind: 'onnx', out: file('resnet18-folded.onnx'), size: 32, expect: 'ResNet-18 (torchvision stem)', build: resnet(18, 'torchvision'), folded: true },
  { arch: 'mobilenet_v2', kind: 'onnx', out: file('mobilenet_v2-folded.onnx'), size: 32, expect: 'MobileNetV2 (width 1)', build: () => new MobileNetV2({ widthMultiplier: 1, outputStride: 32 }, rng()), folded: true },
  { arch: 'resnet18', kind: 'onnx-bn', out: file('resnet18-bn.onnx'), size: 32, expect: 'ResNet-18 (torchvision stem)', build: resnet(18, 'torchvision') },
];
const unimatch: TorchJob = { arch: 'unimatch-deeplab', kind: 'checkpoint', out: file('unimatch-best.pth'), size: 64 };
const evil: TorchJob = { arch: 'resnet18', kind: 'evil', out: file('evil.pth'), size: 32 };

/** NCHW float data -> an NHWC tensor. */
function nhwc(data: number[], [n, c, h, w]: number[]): tf.Tensor4D {
  return tf.tidy(() => tf.tensor4d(Float32Array.from(data), [n, c, h, w]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
}

function expectMatchesTorch(ours: tf.Tensor4D, expected: { shape: number[]; data: number[] }): void {
  const [n, c, h, w] = expected.shape;
  expect(ours.shape).toEqual([n, h, w, c]);
  const actual = tf.tidy(() => ours.transpose([0, 3, 1, 2]).dataSync());
  expect(relativeError(actual, expected.data)).toBeLessThan(1e-4);
}

describeIf(torchUnavailableReason(), 'weight import against PyTorch (files written by torch, random init)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
    writeTorchFiles([...cases, unimatch, evil], dir);
  });

  it('recognises the architecture of every file from its names or graph', () => {
    for (const c of cases) expect([c.out, describeBackbone(detectBackbone(c.out))]).toEqual([c.out, c.expect]);
  });

  const notes = new Map<string, string[]>();
  it.each(cases.map((c) => [`${c.arch} ${c.kind}`, c] as const))('%s: backbone features (eval) equal PyTorch\'s within 1e-4 relative', async (_title, c) => {
    const reference = torchOutputs(c.out);
    const backbone = c.build();
    await expectNoLeak(() => {
      const imported = importBackbone(c.out, {}, backbone);
      notes.set(c.out, imported.notes);
      expect(imported.notes[0]).toMatch(new RegExp(`^${c.expect.replace(/[()]/g, '\\$&')} from an? (PyTorch|safetensors|ONNX)`));
      if (c.folded) expect(imported.notes.join('\n')).toMatch(/batch norm folded into the convolutions in \d+ places/);
      else expect(imported.notes.join('\n')).not.toContain('folded');
      const state = new Map(backbone.namedState());
      expect([...imported.tensors.keys()].sort()).toEqual([...state.keys()].sort());
      tf.tidy(() => {
        for (const [name, v] of state) v.assign(imported.tensors.get(name)!);
      });
      tf.dispose([...imported.tensors.values()]);
      const x = nhwc(reference.input, [1, 3, c.size, c.size]);
      const { low, high } = backbone.forward(x, { training: false });
      expectMatchesTorch(low, reference.outputs.low);
      expectMatchesTorch(high, reference.outputs.high);
      tf.dispose([x, low, high]);
    });
    backbone.dispose();
  });

  it('says what a torchvision file holds beyond the encoder, and finds a checkpoint\'s key and prefix', () => {
    const plain = notes.get(file('resnet18.pth'))!;
    expect(plain).toContain("left out 2 tensors: ImageNet classifier ('fc.weight', 'fc.bias')");
    expect(plain.join('\n')).toMatch(/left out 20 tensors: batch-norm step counters/);
    const checkpoint = notes.get(file('deep-resnet50-checkpoint.pth'))!;
    expect(checkpoint[0]).toBe("ResNet-50 (deep stem, UniMatch's layout) from a PyTorch checkpoint, state dict under 'model'");
    expect(checkpoint).toContain("names prefixed 'module.'");
    expect(notes.get(file('mobilenet_v2.pth'))!.join('\n')).toMatch(/left out 5 tensors: last 1x1 convolution to 1280 channels/);
  });

  it('refuses a file that does not fit, naming every missing, extra and mis-shaped tensor, and imports the rest with strict false', async () => {
    const f = file('resnet18.pth');
    expect(() => importBackbone(f, { depth: 34 })).toThrow(`${f}: the file holds a ResNet-18 (torchvision stem); --depth asks for 34`);
    const deep = new ResNet({ depth: 18, stem: 'deep', outputStride: 32 }, rng());
    let message = '';
    try {
      importBackbone(f, {}, deep);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`${f}: the weights do not fit ResNet-18 (deep stem, UniMatch's layout) (the file holds a ResNet-18 (torchvision stem)):`);
    expect(message).toContain("not in the model: 'conv1.weight' [64, 3, 7, 7]");
    expect(message).toContain("missing: 'conv1.0.weight' [64, 3, 3, 3]");
    expect(message).toContain("wrong shape: 'bn1.weight' is [64] in the file, the model expects [128]");
    expect(message).toContain("wrong shape: 'layer1.0.conv1.weight' is [64, 64, 3, 3] in the file, the model expects [64, 128, 3, 3]");
    expect(message).toContain('(--strict false imports what fits and lists the rest)');
    await expectNoLeak(() => {
      const partial = importBackbone(f, { strict: false }, deep);
      expect(partial.tensors.has('layer4.1.conv2.weight')).toBe(true);
      expect(partial.tensors.has('conv1.0.weight')).toBe(false);
      expect(partial.notes.join('\n')).toMatch(/skipped \(--strict false\), the model keeps its own values:\n {2}not in the model: 'conv1.weight' \[64, 3, 7, 7\]/);
      tf.dispose([...partial.tensors.values()]);
    });
    deep.dispose();
  });

  it('refuses a .pth whose pickle names a global other than the tensor-rebuild ones, running nothing', () => {
    const f = file('evil.pth');
    expect(() => importBackbone(f)).toThrow(/evil\.pth: .*data\.pkl: refuses the global '(posix|os)\.system' at byte \d+/);
  });

  it('loads a UniMatch DeepLabV3+ checkpoint (module. prefix, under model) whose logits equal PyTorch\'s', async () => {
    const reference = torchOutputs(unimatch.out);
    const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, {
      numClasses: 3, outputStride: 16, backbone: { type: 'resnet', depth: 50, stem: 'deep' }, asppChannels: 16, lowLevelChannels: 8, decoderChannels: 16,
    }));
    await expectNoLeak(() => {
      const imported = importModelWeights(model, unimatch.out);
      expect(imported.notes).toContain("names prefixed 'module.'");
      model.setWeights(imported.tensors, { strict: true });
      tf.dispose([...imported.tensors.values()]);
      const x = nhwc(reference.input, [1, 3, unimatch.size, unimatch.size]);
      const { logits, features } = model.forward(x, { training: false });
      expectMatchesTorch(logits as tf.Tensor4D, reference.outputs.logits);
      tf.dispose([x, logits, features!]);
    });
    const other = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 5, outputStride: 16, backbone: { type: 'resnet', depth: 50, stem: 'deep' }, asppChannels: 16, lowLevelChannels: 8, decoderChannels: 16 }));
    expect(() => importModelWeights(other, unimatch.out)).toThrow(/wrong shape: 'classifier\.weight' is \[3, 16, 1, 1\] in the file, the model expects \[5, 16, 1, 1\]/);
    model.dispose();
    other.dispose();
  });

  it('reads backbone.pretrained in a config from a PyTorch, safetensors or ONNX file directly', async () => {
    const small = { numClasses: 2, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 };
    for (const f of ['mobilenet_v2.pth', 'mobilenet_v2-folded.onnx']) {
      const before = tf.memory().numTensors;
      const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { ...small, backbone: { type: 'mobilenetv2', pretrained: file(f) } }));
      const imported = importBackbone(file(f));
      const w = model.getWeights();
      for (const [name, t] of imported.tensors) expect([name, ...w.get(`backbone.${name}`)!.dataSync()]).toEqual([name, ...t.dataSync()]);
      tf.dispose([...imported.tensors.values()]);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
    expect(() => new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { ...small, backbone: { type: 'mobilenetv2', pretrained: file('deep-resnet18.safetensors') } })))
      .toThrow(/deep-resnet18\.safetensors: the weights do not fit MobileNetV2 \(width 1\) \(the file holds a ResNet-18 \(deep stem, UniMatch's layout\)\):\n {2}not in the model: 'conv1\.0\.weight'/);
  });
});

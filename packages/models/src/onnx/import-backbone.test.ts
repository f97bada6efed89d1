import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeWithBackends, expectNoLeak, tf } from '@ssseg/engine';
import { Rng } from '@ssseg/core';
import { ResNet, type ResNetDepth } from '../backbones/resnet';
import { DeepLabV3Plus } from '../deeplabv3plus';
import { loadBackboneWeights } from '../weights/weight-file';
import { importBackboneFromOnnx } from './import-backbone';

// Debian's python3-torch and python3-torchvision install for the system python, not a pyenv one.
const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '../../scripts/export-torchvision-resnet.py');
const SIZE = 64;
const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) {
  console.warn(`import-backbone tests skipped: ${PYTHON} cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-torchvision-'));
const files = new Map<number, string>();
/** The torchvision ResNet as ONNX (written once per depth by the python script). */
function torchvisionOnnx(depth: number): string {
  if (!files.has(depth)) {
    const file = path.join(dir, `resnet${depth}.onnx`);
    const run = spawnSync(PYTHON, [SCRIPT, String(depth), file, String(SIZE)], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`export-torchvision-resnet.py failed: ${run.stderr}`);
    files.set(depth, file);
  }
  return files.get(depth)!;
}
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const maybe = hasTorch ? describeWithBackends : (title: string, fn: () => void) => describe.skip(title, fn);

maybe('importBackboneFromOnnx (torchvision ResNet exported by torch)', () => {
  it.each([18, 50] as ResNetDepth[])('ResNet-%i: features match onnxruntime on the same file within 1e-4', async (depth) => {
    const file = torchvisionOnnx(depth);
    const rng = Rng.fromSeed(9);
    const nchw = Float32Array.from({ length: 3 * SIZE * SIZE }, () => rng.uniform(-1, 1));
    const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
    const session = await ort.InferenceSession.create(fs.readFileSync(file), { intraOpNumThreads: 1 });
    const reference = await session.run({ image: new ort.Tensor('float32', nchw, [1, 3, SIZE, SIZE]) });
    await session.release();

    const backbone = new ResNet({ depth, stem: 'torchvision', outputStride: 32 }, Rng.fromSeed(1));
    await expectNoLeak(() => {
      const weights = importBackboneFromOnnx(file, { backbone: 'resnet', depth });
      const state = new Map(backbone.namedState());
      expect([...weights.keys()].sort()).toEqual([...state.keys()].sort());
      tf.tidy(() => {
        for (const [name, v] of state) v.assign(weights.get(name)!);
      });
      tf.dispose([...weights.values()]);
      const x = tf.tidy(() => tf.tensor4d(nchw, [1, 3, SIZE, SIZE]).transpose([0, 2, 3, 1]) as tf.Tensor4D);
      const { low, high } = backbone.forward(x, { training: false });
      for (const [name, ours] of [['low', low], ['high', high]] as const) {
        const expected = reference[name];
        const [n, c, h, w] = expected.dims.map(Number);
        expect(ours.shape).toEqual([n, h, w, c]);
        const actual = tf.tidy(() => ours.transpose([0, 3, 1, 2]).dataSync());
        const ref = expected.data as Float32Array;
        let worst = 0, scale = 1;
        for (let i = 0; i < ref.length; i++) {
          worst = Math.max(worst, Math.abs(actual[i] - ref[i]));
          scale = Math.max(scale, Math.abs(ref[i]));
        }
        expect(worst).toBeLessThan(1e-4 * scale);
      }
      tf.dispose([x, low, high]);
    });
    backbone.dispose();
  });

  it('loads into a DeepLabV3+ with the torchvision stem, and refuses a deep-stem one or a wrong depth by name', async () => {
    const file = torchvisionOnnx(18);
    const weights = importBackboneFromOnnx(file, { backbone: 'resnet', depth: 18 });
    const model = new DeepLabV3Plus({ numClasses: 21, backbone: { type: 'resnet', depth: 18, stem: 'torchvision' } });
    await expectNoLeak(() => loadBackboneWeights(model, weights));
    expect(Array.from(model.getWeights().get('backbone.layer3.1.bn2.running_var')!.dataSync())).toEqual(Array.from(weights.get('layer3.1.bn2.running_var')!.dataSync()));
    model.dispose();
    const deep = new DeepLabV3Plus({ numClasses: 21, backbone: { type: 'resnet', depth: 18, stem: 'deep' } });
    expect(() => loadBackboneWeights(deep, weights)).toThrow(/missing 'backbone\.conv1\.0\.weight'.*not in the model 'backbone\.conv1\.weight'/);
    deep.dispose();
    tf.dispose([...weights.values()]);
    expect(() => importBackboneFromOnnx(file, { backbone: 'resnet', depth: 34 })).toThrow(/blocks \[2,2,2,2\] \(basic\), ResNet-34 has \[3,4,6,3\] \(basic\)/);
    expect(() => importBackboneFromOnnx(file, { backbone: 'resnet', depth: 18, prefix: 'net.' })).toThrow(/no initializer 'net.conv1.weight'.*TrainingMode.PRESERVE/);
  });
});

describe('importBackboneFromOnnx input errors', () => {
  it('names a missing or foreign file', () => {
    expect(() => importBackboneFromOnnx('/nonexistent/r.onnx', { backbone: 'resnet', depth: 18 })).toThrow('/nonexistent/r.onnx: cannot read ONNX file: ENOENT');
    const junk = path.join(dir, 'junk.onnx');
    fs.writeFileSync(junk, 'not a protobuf at all, just text');
    expect(() => importBackboneFromOnnx(junk, { backbone: 'resnet', depth: 18 })).toThrow(/junk\.onnx: (not an ONNX model|no initializer)/);
  });
});

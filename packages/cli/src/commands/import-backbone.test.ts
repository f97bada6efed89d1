import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine, tf } from '@ssseg/engine';
import { DeepLabV3Plus, loadBackboneWeights, writeOnnx } from '@ssseg/models';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-import-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
const deeplab = (seed: number) => new DeepLabV3Plus({ numClasses: 2, seed, backbone: { type: 'resnet', depth: 18, stem: 'torchvision' } });

describe('ssseg import-backbone', () => {
  // an ssseg export keeps torchvision's names under 'backbone.' and batch norm as its own node
  it('round-trips the ResNet-18 backbone of an ONNX export into a weight file loadBackboneWeights takes', async () => {
    const source = deeplab(1);
    const onnxFile = path.join(dir, 'deeplab.onnx');
    writeOnnx(source, onnxFile, { inputShape: [1, 32, 32, 3] });
    const out = path.join(dir, 'resnet18.weights');
    const before = tf.memory().numTensors;
    const { code, err } = await runCli(['import-backbone', '--from', onnxFile, '--depth', '18', '--prefix', 'backbone.', '--out', out]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const target = deeplab(2);
    loadBackboneWeights(target, out, { sourcePrefix: 'backbone.' });
    const expected = source.getWeights(), actual = target.getWeights();
    for (const [name, t] of expected) {
      if (!name.startsWith('backbone.')) continue;
      expect(Array.from(actual.get(name)!.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    source.dispose();
    target.dispose();

    const wrong = await runCli(['import-backbone', '--from', onnxFile, '--depth', '50', '--prefix', 'backbone.', '--out', out]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`${onnxFile}: the file holds a ResNet with blocks [2,2,2,2]`);
    const depth = await runCli(['import-backbone', '--from', onnxFile, '--depth', '20', '--out', out]);
    expect(depth.err).toMatch(/--depth expects 18, 34, 50 or 101, got '20'/);
  });
});

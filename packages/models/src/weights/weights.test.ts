import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeWithBackends, expectNoLeak, tf } from '@ssseg/engine';
import { Rng, optionsFor } from '@ssseg/core';
import { DeepLabV3Plus } from '../deeplabv3plus';
import { loadBackboneWeights, loadWeights, saveWeights } from './weight-file';

const tiny = (numClasses: number, seed: number) =>
  new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses, seed, backbone: { type: 'resnet', depth: 18, baseWidth: 4 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 }));

function image(seed: number): tf.Tensor4D {
  const rng = Rng.fromSeed(seed);
  return tf.tensor4d(Float32Array.from({ length: 2 * 20 * 20 * 3 }, () => rng.uniform(-1, 1)), [2, 20, 20, 3]);
}

function evalLogits(model: DeepLabV3Plus, x: tf.Tensor4D): Float32Array {
  const { logits, features } = model.forward(x, { training: false });
  const out = logits.dataSync() as Float32Array;
  tf.dispose([logits, features!]);
  return out;
}

describeWithBackends('weights', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-models-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('saves and loads a checkpoint that gives identical outputs (running statistics included)', async () => {
    const a = tiny(3, 1), b = tiny(3, 2);
    await expectNoLeak(() => {
      const x = image(1);
      tf.dispose(Object.values(a.forward(x, { training: true }))); // moves the running statistics off their initial values
      const file = path.join(dir, 'a.weights');
      saveWeights(a, file, { note: 'test' });
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      expect(evalLogits(b, x)).not.toEqual(evalLogits(a, x));
      const meta = loadWeights(b, file);
      expect(meta).toMatchObject({ modelType: 'deeplabv3plus', numClasses: 3, note: 'test' });
      expect(Array.from(evalLogits(b, x))).toEqual(Array.from(evalLogits(a, x)));
      x.dispose();
    });
    a.dispose();
    b.dispose();
  });

  it('refuses a checkpoint of another shape, naming the file, the layer and both shapes, and changes nothing', async () => {
    const a = tiny(5, 1), b = tiny(3, 2);
    const file = path.join(dir, 'five-classes.weights');
    saveWeights(a, file);
    const x = image(2);
    const before = evalLogits(b, x);
    await expectNoLeak(() => {
      expect(() => loadWeights(b, file)).toThrow(`${file}: setWeights (deeplabv3plus): layer 'classifier.weight' has shape [1, 1, 8, 5] in the given weights, the model expects [1, 1, 8, 3]`);
    });
    expect(Array.from(evalLogits(b, x))).toEqual(Array.from(before));
    const partial = new Map([...a.getWeights()].filter(([n]) => !n.startsWith('fuse.')));
    expect(() => a.setWeights(partial)).toThrow(/missing 'fuse\.0\.weight'/);
    tf.dispose(x);
    a.dispose();
    b.dispose();
  });

  it('loads a backbone only, from a full-model file or a map, leaving the head alone', async () => {
    const source = tiny(5, 1), target = tiny(3, 2);
    const file = path.join(dir, 'pretrained.weights');
    saveWeights(source, file);
    const headBefore = Array.from(target.getWeights().get('classifier.weight')!.dataSync());
    await expectNoLeak(() => loadBackboneWeights(target, file, { sourcePrefix: 'backbone.' }));
    const s = source.getWeights(), t = target.getWeights();
    for (const [name, w] of t) {
      if (name.startsWith('backbone.')) expect(Array.from(w.dataSync())).toEqual(Array.from(s.get(name)!.dataSync()));
    }
    expect(Array.from(t.get('classifier.weight')!.dataSync())).toEqual(headBefore);
    // A backbone-only map whose names lack the prefix, with one weight left out.
    const bare = new Map([...s].filter(([n]) => n.startsWith('backbone.') && n !== 'backbone.layer4.1.bn2.running_var').map(([n, w]) => [n.slice(9), w]));
    expect(() => loadBackboneWeights(target, bare)).toThrow(/missing 'backbone\.layer4\.1\.bn2\.running_var'/);
    source.dispose();
    target.dispose();
  });

  it('clones into independent variables with identical outputs', async () => {
    const a = tiny(3, 1);
    const x = image(3);
    await expectNoLeak(() => {
      const b = a.clone();
      expect(Array.from(evalLogits(b, x))).toEqual(Array.from(evalLogits(a, x)));
      const w = b.trainableVariables().get('classifier.bias')!;
      tf.tidy(() => w.assign(w.add(1)));
      expect(Array.from(a.trainableVariables().get('classifier.bias')!.dataSync())).toEqual([0, 0, 0]);
      b.dispose();
    });
    x.dispose();
    a.dispose();
  });
});

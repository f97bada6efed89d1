import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, initEngine } from '@ssseg/engine';
import { saveTensorFile, optionsFor } from '@ssseg/core';
import { DeepLabV3Plus } from './deeplabv3plus';

describe('deeplabv3plus backbone.pretrained', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('starts the backbone from a backbone.* weight file and leaves the head to its own init', () => {
    const before = tf.memory().numTensors;
    const backbone = { type: 'resnet', depth: 18, baseWidth: 8 };
    const source = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, seed: 1, backbone, asppChannels: 8, decoderChannels: 8, lowLevelChannels: 4 }));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-pretrained-')), 'backbone.ckpt');
    saveTensorFile(file, new Map([...source.getWeights()].filter(([n]) => n.startsWith('backbone.'))));
    const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, seed: 2, backbone: { ...backbone, pretrained: file }, asppChannels: 8, decoderChannels: 8, lowLevelChannels: 4 }));
    const fresh = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, seed: 2, backbone, asppChannels: 8, decoderChannels: 8, lowLevelChannels: 4 }));
    const a = source.getWeights(), b = model.getWeights(), c = fresh.getWeights();
    for (const [name, t] of b) {
      const expected = name.startsWith('backbone.') ? a.get(name)! : c.get(name)!;
      expect(Array.from(t.dataSync())).toEqual(Array.from(expected.dataSync()));
    }
    const clone = model.clone();
    expect(Array.from(clone.getWeights().get('backbone.conv1.0.weight')!.dataSync())).toEqual(Array.from(a.get('backbone.conv1.0.weight')!.dataSync()));
    for (const m of [source, model, fresh, clone]) m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, backbone: { ...backbone, pretrained: '/nonexistent.ckpt' } }))).toThrow(/nonexistent\.ckpt: backbone\.pretrained: no such file \(where to get ImageNet weights: README/);
  });
});

import { initEngine, tf } from '@ssseg/engine';
import { DeepLabV3Plus } from './deeplabv3plus';
import { summarizeModel } from './summary';
import { optionsFor } from '@ssseg/core';

describe('DeepLabV3+ parameter counts (UniMatch layout, 21 classes)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  // UniMatch reports 40.35 M (ResNet-50) and 59.34 M (ResNet-101) trainable parameters.
  it.each([
    [50, 40.35e6],
    [101, 59.34e6],
  ])('ResNet-%i matches UniMatch within 1%%', (depth, expected) => {
    const before = tf.memory().numTensors;
    const model = new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 21, backbone: { type: 'resnet', depth } }));
    const summary = summarizeModel(model);
    expect(Math.abs(summary.trainableParams - expected) / expected).toBeLessThan(0.01);
    // BN running statistics are state, not trainable, and counted in the total.
    const bnChannels = summary.layers.filter((l) => l.name.endsWith('running_mean')).reduce((s, l) => s + l.params, 0);
    expect(summary.totalParams).toBe(summary.trainableParams + 2 * bnChannels);
    expect(summary.layers.map((l) => l.name)).toContain('backbone.layer1.0.conv1.weight');
    expect(summary.layers.map((l) => l.name)).toContain('backbone.conv1.6.weight');
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

import { initEngine, tf } from '@ssseg/engine';
import { createPluginHost, SegmentationModel } from '@ssseg/core';
import { modelsPlugin } from './plugin';
import { DeepLabV3Plus } from './deeplabv3plus';
import { UNet } from './unet';

describe('modelsPlugin', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('builds each model type from a config, with defaults and the given class count', () => {
    const host = createPluginHost();
    host.load(modelsPlugin);
    expect(host.typesOf(SegmentationModel).sort()).toEqual(['deeplabv3plus', 'unet']);
    const before = tf.memory().numTensors;
    const unet = host.build(SegmentationModel, { type: 'unet', numClasses: 11, baseWidth: 4, depth: 2 }, 'model') as UNet;
    expect(unet).toBeInstanceOf(UNet);
    expect(unet.numClasses).toBe(11);
    expect(unet.outputStride).toBe(1);
    const deeplab = host.build(
      SegmentationModel,
      { type: 'deeplabv3plus', numClasses: 21, backbone: { type: 'mobilenetv2', widthMultiplier: 0.25 }, outputStride: 8 },
      'model',
    ) as DeepLabV3Plus;
    expect(deeplab.outputStride).toBe(4);
    expect(deeplab.options.backbone).toEqual({ type: 'mobilenetv2', widthMultiplier: 0.25 });
    expect(deeplab.getWeights().has('backbone.features.17.conv.2.weight')).toBe(true);
    unet.dispose();
    deeplab.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options with the config path', () => {
    const host = createPluginHost();
    host.load(modelsPlugin);
    expect(() => host.build(SegmentationModel, { type: 'deeplabv3plus', numClasses: 21, outputStride: 32 }, 'model')).toThrow(/model\.outputStride/);
    expect(() => host.build(SegmentationModel, { type: 'deeplabv3plus', numClasses: 21, backbone: { type: 'resnet', depth: 152 } }, 'model')).toThrow(/model\.backbone\.depth/);
    expect(() => host.build(SegmentationModel, { type: 'unet', numClasses: 3, basewidth: 8 }, 'model')).toThrow(/basewidth/);
    expect(() => host.build(SegmentationModel, { type: 'unet' }, 'model')).toThrow(/model\.numClasses/);
  });
});

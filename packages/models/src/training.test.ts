import { describeWithBackends, expectNoLeak, tf } from '@ssseg/engine';
import { Rng, optionsFor } from '@ssseg/core';
import { DeepLabV3Plus } from './deeplabv3plus';
import { UNet } from './unet';
import type { SegmentationModule } from './segmentation-module';

/** Mean pixel cross-entropy of logits [B, h, w, C] against labels [B, h, w]. */
function crossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const c = logits.shape[3];
    const logp = tf.logSoftmax(logits, -1);
    return tf.neg(tf.mean(tf.sum(logp.mul(tf.oneHot(labels, c)), -1)));
  });
}

/** A learnable task: the class is which third of the image's mean colour the pixel's red value falls in. */
function task(size: number, strideOut: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor3D } {
  const rng = Rng.fromSeed(seed);
  const h = size, w = size, b = 2;
  const x = new Float32Array(b * h * w * 3);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  const oh = Math.ceil(h / strideOut), ow = Math.ceil(w / strideOut);
  const y = new Int32Array(b * oh * ow);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const r = x[((n * h + i * strideOut) * w + j * strideOut) * 3];
        y[(n * oh + i) * ow + j] = r < -0.33 ? 0 : r < 0.33 ? 1 : 2;
      }
  return { x: tf.tensor4d(x, [b, h, w, 3]), y: tf.tensor3d(y, [b, oh, ow], 'int32') };
}

/** Plain SGD steps; returns the loss before and after. */
function train(model: SegmentationModule<any>, steps: number, lr: number, perturbFeatures = false): number[] {
  const { x, y } = task(16, model.outputStride, 1);
  const vars = [...model.trainableVariables().values()];
  const rng = Rng.fromSeed(5);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(x, { training: true, perturbFeatures, rng });
      const loss = perturbFeatures ? crossEntropy(out.logits, y).add(crossEntropy(out.perturbedLogits!, y)) : crossEntropy(out.logits, y);
      tf.dispose([out.logits, out.features!, out.perturbedLogits!]);
      return loss as tf.Scalar;
    }, vars);
    losses.push(value.dataSync()[0]);
    tf.tidy(() => vars.forEach((v) => v.assign(v.sub(grads[v.name].mul(lr)))));
    tf.dispose([value, ...Object.values(grads)]);
  }
  tf.dispose([x, y]);
  return losses;
}

const trainable: Record<string, () => SegmentationModule<any>> = {
  unet: () => new UNet(optionsFor(UNet, { numClasses: 3, baseWidth: 4, depth: 2 })),
  'deeplabv3plus resnet18': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, backbone: { type: 'resnet', depth: 18, baseWidth: 4 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'deeplabv3plus mobilenetv2': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, backbone: { type: 'mobilenetv2', widthMultiplier: 0.25 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
};

describeWithBackends('training lowers the loss', () => {
  it.each(Object.keys(trainable))('%s', async (name) => {
    const model = trainable[name]();
    await expectNoLeak(() => {
      const losses = train(model, 8, 0.05, name === 'unet');
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.9);
    });
    model.dispose();
  });

  it('moves batch-norm running statistics in training mode only', async () => {
    const model = trainable.unet();
    const before = Array.from(model.getWeights().get('down.0.1.running_mean')!.dataSync());
    await expectNoLeak(() => {
      const x = tf.ones([1, 8, 8, 3]) as tf.Tensor4D;
      tf.dispose(Object.values(model.forward(x, { training: false })));
      expect(Array.from(model.getWeights().get('down.0.1.running_mean')!.dataSync())).toEqual(before);
      tf.dispose(Object.values(model.forward(x, { training: true })));
      expect(Array.from(model.getWeights().get('down.0.1.running_mean')!.dataSync())).not.toEqual(before);
      x.dispose();
    });
    model.dispose();
  });
});

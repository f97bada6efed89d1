import { describeWithBackends, expectNoLeak, tf } from '@ssseg/engine';
import { Rng, optionsFor } from '@ssseg/core';
import { DeepLabV3Plus } from './deeplabv3plus';
import { UNet } from './unet';
import type { SegmentationModule } from './segmentation-module';

/** Tiny variants: full layouts, few channels. */
export const tinyModels: Record<string, () => SegmentationModule<any>> = {
  'deeplabv3plus resnet18 os16': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, backbone: { type: 'resnet', depth: 18, baseWidth: 4 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'deeplabv3plus resnet50 os8': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, outputStride: 8, backbone: { type: 'resnet', depth: 50, baseWidth: 2 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'deeplabv3plus mobilenetv2 os16': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 3, backbone: { type: 'mobilenetv2', widthMultiplier: 0.25 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'unet depth 3': () => new UNet(optionsFor(UNet, { numClasses: 3, baseWidth: 4, depth: 3 })),
};

function randomImages(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const rng = Rng.fromSeed(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(-1, 1)), shape);
}

describeWithBackends('segmentation models', () => {
  describe.each(Object.keys(tinyModels))('%s', (name) => {
    let model: SegmentationModule<any>;
    beforeAll(() => {
      model = tinyModels[name]();
    });
    afterAll(() => model.dispose());

    it.each([
      [32, 32],
      [33, 47],
      [17, 20],
    ])('gives logits of ceil(size / stride) for a %ix%i input, in train and eval mode', async (h, w) => {
      await expectNoLeak(() => {
        const x = randomImages([2, h, w, 3], h * w);
        for (const training of [true, false]) {
          const { logits, features } = model.forward(x, { training });
          const s = model.outputStride;
          expect(logits.shape).toEqual([2, Math.ceil(h / s), Math.ceil(w / s), 3]);
          expect(features!.shape.slice(0, 3)).toEqual([2, Math.ceil(h / s), Math.ceil(w / s)]);
          expect(Number.isFinite(tf.tidy(() => logits.sum().dataSync()[0]))).toBe(true);
          tf.dispose([logits, features!]);
        }
        x.dispose();
      });
    });

    it('returns clean and perturbed logits in one pass; the clean half equals a plain forward in eval mode', async () => {
      await expectNoLeak(() => {
        const x = randomImages([2, 24, 24, 3], 7);
        const plain = model.forward(x, { training: false });
        const both = model.forward(x, { training: false, perturbFeatures: true, rng: Rng.fromSeed(3) });
        expect(both.perturbedLogits!.shape).toEqual(plain.logits.shape);
        expect(both.logits.shape).toEqual(plain.logits.shape);
        const diff = tf.tidy(() => both.logits.sub(plain.logits).abs().max().dataSync()[0]);
        expect(diff).toBeLessThan(1e-5);
        const perturbation = tf.tidy(() => both.perturbedLogits!.sub(plain.logits).abs().max().dataSync()[0]);
        expect(perturbation).toBeGreaterThan(1e-4);
        // Same Rng seed, same masks.
        const again = model.forward(x, { training: false, perturbFeatures: true, rng: Rng.fromSeed(3) });
        expect(Array.from(again.perturbedLogits!.dataSync())).toEqual(Array.from(both.perturbedLogits!.dataSync()));
        expect(() => model.forward(x, { training: true, perturbFeatures: true })).toThrow(/needs options.rng/);
        tf.dispose([x, plain.logits, plain.features!, both.logits, both.perturbedLogits!, both.features!, again.logits, again.perturbedLogits!, again.features!]);
      });
    });

    it('gives the same weights for the same seed', () => {
      const other = tinyModels[name]();
      const a = model.getWeights(), b = other.getWeights();
      expect([...b.keys()]).toEqual([...a.keys()]);
      const name0 = [...a.keys()][0];
      expect(Array.from(b.get(name0)!.dataSync())).toEqual(Array.from(a.get(name0)!.dataSync()));
      other.dispose();
    });
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeWithBackends, expectNoLeak, tf } from '@ssseg/engine';
import { Rng, TinySegmentationModel, optionsFor } from '@ssseg/core';
import { DeepLabV3Plus } from '../deeplabv3plus';
import { UNet } from '../unet';
import type { SegmentationModule } from '../segmentation-module';
import { exportOnnx, writeOnnx } from './export';
import { OnnxPredictor } from './predictor';

const models: Record<string, () => SegmentationModule<any>> = {
  'deeplabv3plus resnet18 deep stem os16': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 4, backbone: { type: 'resnet', depth: 18, baseWidth: 4 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'deeplabv3plus resnet50 torchvision stem os8 multi-grid': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 4, outputStride: 8, backbone: { type: 'resnet', depth: 50, baseWidth: 2, stem: 'torchvision', multiGrid: true }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'deeplabv3plus mobilenetv2 os8': () =>
    new DeepLabV3Plus(optionsFor(DeepLabV3Plus, { numClasses: 4, outputStride: 8, backbone: { type: 'mobilenetv2', widthMultiplier: 0.25 }, asppChannels: 8, lowLevelChannels: 4, decoderChannels: 8 })),
  'unet depth 3': () => new UNet(optionsFor(UNet, { numClasses: 4, baseWidth: 4, depth: 3 })),
};

/** Moves every BN's statistics and affine terms off the identity so the export is tested on them. */
function randomiseState(model: SegmentationModule<any>, seed: number): void {
  const rng = Rng.fromSeed(seed);
  tf.tidy(() => {
    for (const [name, v] of model.getWeights()) {
      if (!/(running_mean|running_var|bn\d?\.weight|bn\d?\.bias|\.bias)$/.test(name) && !name.match(/\.\d+\.(weight|bias)$/)) continue;
      if (v.shape.length !== 1) continue;
      const values = Float32Array.from({ length: v.size }, () => (name.endsWith('running_var') || name.endsWith('.weight') ? rng.uniform(0.5, 1.5) : rng.uniform(-0.3, 0.3)));
      (v as tf.Variable).assign(tf.tensor1d(values));
    }
  });
}

function images(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const rng = Rng.fromSeed(seed);
  return tf.tensor4d(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(-1, 1)), shape);
}

describeWithBackends('ONNX export', () => {
  describe.each(Object.keys(models))('%s', (name) => {
    let model: SegmentationModule<any>;
    beforeAll(() => {
      model = models[name]();
      randomiseState(model, 3);
    });
    afterAll(() => model.dispose());

    it.each([
      [2, 32, 32],
      [1, 37, 29],
    ])('runs in onnxruntime with the logits of tfjs (eval) within 1e-4, batch %i, %ix%i', async (b, h, w) => {
      const x = images([b, h, w, 3], h + w);
      const expected = await expectNoLeak(() => {
        const { logits, features } = model.forward(x, { training: false });
        const out = { data: logits.dataSync() as Float32Array, shape: logits.shape };
        tf.dispose([logits, features!]);
        return out;
      });
      const predictor = await OnnxPredictor.create(exportOnnx(model, { inputShape: [b, h, w, 3] }), { threads: 1 });
      const actual = await predictor.logits(x);
      expect(actual.shape).toEqual(expected.shape);
      // 1e-4 absolute on logits of order one: the deep, randomly initialised nets here give logits
      // up to ~10-100, where float32 summation order alone moves the last digits, hence the scale.
      let worst = 0, scale = 1;
      for (let i = 0; i < actual.data.length; i++) {
        worst = Math.max(worst, Math.abs(actual.data[i] - expected.data[i]));
        scale = Math.max(scale, Math.abs(expected.data[i]));
      }
      if (process.env.SSSEG_VERBOSE) console.log(name, 'max |logit|', scale, 'max diff', worst);
      expect(worst).toBeLessThan(1e-4 * scale);
      const { labels, shape } = await predictor.predict(x);
      expect(shape).toEqual(expected.shape.slice(0, 3));
      const k = expected.shape[3];
      const argmax = (p: number) => [...expected.data.subarray(p * k, p * k + k)].reduce((best, v, c, all) => (v > all[best] ? c : best), 0);
      // Ties broken differently are possible only where two logits agree within float noise.
      let agree = 0;
      for (let p = 0; p < labels.length; p++) agree += labels[p] === argmax(p) ? 1 : 0;
      expect(agree / labels.length).toBeGreaterThan(0.99);
      await predictor.release();
      x.dispose();
    });
  });

  it('writes a file atomically, checks input shapes, and refuses models without a graph', async () => {
    const model = models['unet depth 3']();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-onnx-'));
    const file = path.join(dir, 'unet.onnx');
    writeOnnx(model, file, { inputShape: [1, 16, 16, 3] });
    const predictor = await OnnxPredictor.create(file);
    expect(predictor.inputShape).toEqual([1, 16, 16, 3]);
    expect(predictor.outputShape).toEqual([1, 16, 16, 4]);
    const wrong = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    await expect(predictor.logits(wrong)).rejects.toThrow('images of shape [1,8,8,3], the model was exported for [1,16,16,3]');
    wrong.dispose();
    await predictor.release();
    await expect(OnnxPredictor.create(path.join(dir, 'missing.onnx'))).rejects.toThrow(/missing\.onnx: cannot read ONNX model: ENOENT/);
    const tiny = new TinySegmentationModel({ numClasses: 2 });
    expect(() => exportOnnx(tiny, { inputShape: [1, 8, 8, 3] })).toThrow(/model type 'tiny' has no ONNX graph/);
    expect(() => exportOnnx(model, { inputShape: [1, 8, 8] as never })).toThrow(/inputShape must be four positive integers/);
    tiny.dispose();
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

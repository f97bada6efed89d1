import { tf, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { TinySegmentationModel } from '../tiny-model';
import { predictLogits } from './predict';
import { evaluate } from './evaluate';
import type { SampleSource } from '../tokens';

describe('inference', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('sliding-window logits match a naive window-by-window average', async () => {
    const model = new TinySegmentationModel({ numClasses: 3, seed: 5 });
    await expectNoLeak(() => {
      const [H, W, C, crop, stride] = [13, 11, 3, 8, 5];
      const x = tf.randomUniform([1, H, W, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const sliding = predictLogits(model, x, { mode: 'sliding', cropSize: crop, stride });
      // reference: windows start at 0, 5 and clamp to size - crop; sum logits per pixel, divide by hits
      const sum = new Float64Array(H * W * C), hits = new Float64Array(H * W);
      for (const y0 of [0, 5]) {
        for (const x0 of [0, 3]) {
          const logits = tf.tidy(() => model.forward(x.slice([0, y0, x0, 0], [1, crop, crop, 3]), { training: false }).logits);
          const v = logits.dataSync();
          for (let y = 0; y < crop; y++) for (let xx = 0; xx < crop; xx++) {
            hits[(y0 + y) * W + x0 + xx]++;
            for (let c = 0; c < C; c++) sum[((y0 + y) * W + x0 + xx) * C + c] += v[(y * crop + xx) * C + c];
          }
          logits.dispose();
        }
      }
      const expected = Array.from(sum, (v, i) => v / hits[Math.floor(i / C)]);
      expect(sliding.shape).toEqual([1, H, W, C]);
      expectArraysClose(sliding.dataSync(), expected, 1e-5);
      const full = predictLogits(model, x, { mode: 'full' });
      expect(full.shape).toEqual([1, H, W, C]);
      tf.dispose([x, full, sliding]);
    });
    model.dispose();
  });

  it('sliding window pads images smaller than the crop', async () => {
    const model = new TinySegmentationModel({ numClasses: 2, seed: 6 });
    await expectNoLeak(() => {
      const x = tf.randomUniform([1, 5, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const out = predictLogits(model, x, { mode: 'sliding', cropSize: 8 });
      expect(out.shape).toEqual([1, 5, 6, 2]);
      tf.dispose([x, out]);
    });
    model.dispose();
  });

  it('evaluate gives mIoU 1 when the model predicts the mask and counts every image', async () => {
    const model = new TinySegmentationModel({ numClasses: 2, seed: 7 });
    const images = [0, 1].map((i) => ({ id: `img${i}`, height: 4, width: 4, image: new Float32Array(48).fill(i * 0.5) }));
    // label each image with what the model predicts: a perfect score, computed another way
    const source: SampleSource = {
      length: 2,
      id: (i) => images[i].id,
      get: async (i) => {
        const pred = tf.tidy(() => model.forward(tf.tensor4d(images[i].image, [1, 4, 4, 3]), { training: false }).logits.argMax(-1));
        const mask = Uint8Array.from(pred.dataSync());
        pred.dispose();
        return { ...images[i], mask };
      },
    };
    const result = await expectNoLeak(() => evaluate(model, source, {
      numClasses: 2, mode: 'full', toInput: (s) => tf.tensor4d(s.image, [1, s.height, s.width, 3]),
    }));
    expect(result.images).toBe(2);
    expect(result.miou).toBe(1);
    model.dispose();
  });
});

import { tf } from '@ssseg/engine';
import { interPixelLoss } from '@ssseg/losses';
import { runW2 } from './w2';

describe('W2: a UniMatch step with and without IPixMatch', () => {
  it('times both variants through the real plugins; the term adds a non-negative KL to the same first loss; no leak', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const small = { type: 'unet', baseWidth: 4, depth: 2 };
    const r = await runW2({ steps: 2, warmup: 0, size: 16, numClasses: 3, model: small });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.timesMsWithout).toHaveLength(2);
    expect(r.timesMsWith).toHaveLength(2);
    expect(r.msPerStepWith).toBeCloseTo((r.timesMsWith[0] + r.timesMsWith[1]) / 2, 6);
    expect(r.termShare).toBeCloseTo((r.msPerStepWith - r.msPerStepWithout) / r.msPerStepWith, 9);
    expect(r.pixelsPerView).toBe(16 * 16);
    // same seed, same weights, same batch: the first losses differ by 0.3 x the KL term (> 0 for
    // random teacher and student predictions), both finite
    expect(r.lossesWith[0]).toBeGreaterThan(r.lossesWithout[0]);
    expect(Number.isFinite(r.lossesWith[1])).toBe(true);
    // interPixelLoss is the same KL the regularizer adds: zero for identical logits
    const z = tf.randomNormal([1, 4, 4, 3]) as tf.Tensor4D;
    const same = interPixelLoss(z, z, { confThreshold: 0 });
    expect(same.dataSync()[0]).toBeCloseTo(0, 5);
    tf.dispose([z, same]);
  }, 120_000);

  it('counts the convolution FLOPs of the first warm-up step of each variant: the term adds none; without warm-up none are counted', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const small = { type: 'unet', baseWidth: 4, depth: 2 };
    const r = await runW2({ steps: 1, warmup: 1, size: 16, numClasses: 3, model: small });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.convFlopsPerStepWithout).toBeGreaterThan(0);
    expect(r.convFlopsPerStepWith).toBe(r.convFlopsPerStepWithout);
    // the counted warm-up step is not timed, and its loss is kept
    expect(r.timesMsWithout).toHaveLength(1);
    expect(r.lossesWithout).toHaveLength(2);
    const none = await runW2({ steps: 1, warmup: 0, size: 16, numClasses: 3, model: small });
    expect(none.convFlopsPerStepWithout).toBeUndefined();
  }, 120_000);

  it('an option passed as undefined takes its default (bench w2 without --steps failed with "steps must be at least 1")', async () => {
    await tf.setBackend('cpu');
    const r = await runW2({ steps: undefined, warmup: 0, size: 16, numClasses: 3, model: { type: 'unet', baseWidth: 4, depth: 2 } });
    expect(r.steps).toBe(3);
    expect(r.timesMsWithout).toHaveLength(3);
  }, 120_000);
});

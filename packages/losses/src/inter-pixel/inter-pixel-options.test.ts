import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { Rng } from '@ssseg/core';
import { interPixelLoss, interPixelLossNaive, interPixelLossWithStats, type InterPixelOptions } from './inter-pixel-loss';
import { selectPixels } from './select-pixels';
import { referenceLoss, type ReferenceLossOptions } from './reference.test-utils';
import { FORMS, expectClose, makeBatch, valueAndGrad } from './batch.test-utils';

/** Pixel by pixel rows of a [B, H, W, C] tensor, as float64 numbers. */
function pixels(x: tf.Tensor4D): number[][] {
  const C = x.shape[3];
  const v = x.dataSync();
  return Array.from({ length: v.length / C }, (_, p) => Array.from(v.slice(p * C, (p + 1) * C)));
}

describeWithBackends('interPixelLoss options', () => {
  const B = 3, H = 4, W = 5, C = 4;
  // image 0: every pixel confident; 1: exactly one; 2: every third
  const pattern = (b: number, i: number) => b === 0 || (b === 1 && i === 7) || (b === 2 && i % 3 === 0);
  const ignored = (p: number) => p % (H * W) === 3;
  const affinityOnly: Partial<InterPixelOptions>[] = [
    { rows: 'all', columns: 'confident' },
    { rows: 'confident', columns: 'all' },
    { rows: 'all', columns: 'all', chunkRows: 6 },
    { rows: 'all', columns: 'confident', scope: 'batch', chunkRows: 7 },
  ];
  const anyRelation: Partial<InterPixelOptions>[] = [
    { perClass: 2 },
    { scope: 'batch' },
    { perClass: 3, scope: 'batch', columns: 'all' },
  ];
  const spatialOnly: Partial<InterPixelOptions>[] = [{ classes: 'present' }, { classes: 'present', scope: 'batch', columns: 'all' }];

  for (const [relation, distance] of FORMS) {
    const settings = [...anyRelation, ...(relation === 'affinity' ? affinityOnly : spatialOnly)];
    it(`${relation}+${distance}: each option equals a float64 loop reference in value, and the naive one in value and student gradient`, async () => {
      await expectNoLeak(() => {
        const { teacher, student } = makeBatch(Rng.fromSeed(`options-${relation}-${distance}`), B, H, W, C, pattern);
        const ignore = tf.tensor3d(Array.from({ length: B * H * W }, (_, p) => (ignored(p) ? 1 : 0)), [B, H, W]);
        const [zt, zs] = [pixels(teacher), pixels(student)];
        for (const setting of settings) {
          const options = { relation, distance, confThreshold: 0.95, ignoreMask: ignore, ...setting } as InterPixelOptions;
          const fast = valueAndGrad((s) => interPixelLoss(teacher, s, options), student);
          const naive = valueAndGrad((s) => interPixelLossNaive(teacher, s, options), student);
          const expected = referenceLoss(zt, zs, H * W, { ...(options as ReferenceLossOptions), ignored });
          expect(fast.value).toBeGreaterThan(0);
          expectArraysClose([fast.value], [expected], 1e-5, 1e-7);
          expectClose([fast.value], [naive.value]);
          expectClose(fast.grad, naive.grad);
          expect(fast.grad.some((g) => g !== 0)).toBe(true);
        }
        tf.dispose([teacher, student, ignore]);
      });
    });
  }

  it('rows all: unconfident pixels get a gradient, pulled towards the confident ones; confident rows alone give them none', async () => {
    await expectNoLeak(() => {
      const { teacher, student } = makeBatch(Rng.fromSeed('rows-all'), 1, H, W, C, (_, i) => i % 2 === 0);
      const gradAtOdd = (options: InterPixelOptions) => {
        const { grad } = valueAndGrad((s) => interPixelLoss(teacher, s, options), student);
        return Array.from({ length: H * W }, (_, i) => i)
          .filter((i) => i % 2 === 1)
          .flatMap((i) => Array.from(grad.slice(i * C, (i + 1) * C)));
      };
      for (const distance of ['kl', 'correlation'] as const) {
        expect(gradAtOdd({ distance }).every((g) => g === 0)).toBe(true);
        expect(gradAtOdd({ distance, rows: 'all' }).some((g) => Math.abs(g) > 1e-6)).toBe(true);
      }
      tf.dispose([teacher, student]);
    });
  });

  it('a group contributes with one row and two columns, not with no row', async () => {
    await expectNoLeak(() => {
      // image 0: one confident pixel; image 1: none
      const { teacher, student } = makeBatch(Rng.fromSeed('one-row'), 2, 2, 2, 3, (b, i) => b === 0 && i === 2);
      const r = interPixelLossWithStats(teacher, student, { columns: 'all' });
      expect(r.keptPerImage).toEqual([1, 0]);
      const [zt, zs] = [pixels(teacher), pixels(student)];
      const one = referenceLoss(zt.slice(0, 4), zs.slice(0, 4), 4, { relation: 'affinity', distance: 'kl', confThreshold: 0.95, columns: 'all' });
      expect(one).toBeGreaterThan(0);
      // the mean runs over image 0 alone: image 1 has no row
      expectArraysClose(r.loss.dataSync(), [one], 1e-5, 1e-7);
      const none = interPixelLoss(teacher, student, { rows: 'all' });
      expect(none.dataSync()[0]).toBe(0); // one column at most in each image
      tf.dispose([teacher, student, r.loss, none]);
    });
  });

  it('scope batch pools the images into one relation; on one image it equals scope image', async () => {
    await expectNoLeak(() => {
      const { teacher, student } = makeBatch(Rng.fromSeed('pool'), 2, H, W, C, (_, i) => i % 2 === 0);
      for (const [relation, distance] of FORMS) {
        const image = interPixelLoss(teacher, student, { relation, distance });
        const batch = interPixelLoss(teacher, student, { relation, distance, scope: 'batch' });
        expect(Math.abs(image.dataSync()[0] - batch.dataSync()[0])).toBeGreaterThan(1e-6);
        const first = [teacher, student].map((x) => x.slice([0, 0, 0, 0], [1, H, W, C]) as tf.Tensor4D);
        const a = interPixelLoss(first[0], first[1], { relation, distance });
        const b = interPixelLoss(first[0], first[1], { relation, distance, scope: 'batch' });
        expect(b.dataSync()[0]).toBe(a.dataSync()[0]);
        tf.dispose([image, batch, a, b, ...first]);
      }
      tf.dispose([teacher, student]);
    });
  });

  it('spatial classes present averages over the classes some kept pixel is the argmax of', async () => {
    await expectNoLeak(() => {
      // teacher argmax 0 or 2 on every pixel: classes 1 and 3 are absent
      const t = tf.tidy(() => {
        const base = tf.randomNormal([1, 3, 3, C], 0, 0.3, 'float32', 5).arraySync() as number[][][][];
        base[0].forEach((row, y) => row.forEach((px, x) => (px[(y + x) % 2 === 0 ? 0 : 2] += 6)));
        return tf.tensor4d(base);
      });
      const s = tf.randomNormal([1, 3, 3, C], 0, 1, 'float32', 6) as tf.Tensor4D;
      const [zt, zs] = [pixels(t), pixels(s)];
      for (const distance of ['kl', 'correlation'] as const) {
        const present = interPixelLoss(t, s, { relation: 'spatial', distance, classes: 'present' });
        const all = interPixelLoss(t, s, { relation: 'spatial', distance });
        const o = { relation: 'spatial', distance, confThreshold: 0.95 } as const;
        expectArraysClose(present.dataSync(), [referenceLoss(zt, zs, 9, { ...o, classes: 'present' })], 1e-5, 1e-7);
        expectArraysClose(all.dataSync(), [referenceLoss(zt, zs, 9, o)], 1e-5, 1e-7);
        expect(Math.abs(present.dataSync()[0] - all.dataSync()[0])).toBeGreaterThan(1e-4);
        tf.dispose([present, all]);
      }
      tf.dispose([t, s]);
    });
  });

  it('the chunked KL with rows all never holds the [Mr, Mc] affinity, forward and backward', async () => {
    // 32 x 32, every other pixel confident: Mr = 1024 rows, Mc = 512 columns
    const { teacher, student } = makeBatch(Rng.fromSeed('chunks'), 1, 32, 32, 4, (_, i) => i % 2 === 0);
    const full = 1024 * 512 * 4;
    const profile = await tf.profile(() => {
      const r = tf.valueAndGrad((x: tf.Tensor) => interPixelLoss(teacher, x as tf.Tensor4D, { rows: 'all', chunkRows: 16 }))(student);
      tf.dispose([r.value, r.grad]);
    });
    expect(profile.peakBytes).toBeLessThan(full / 3);
    tf.dispose([teacher, student]);
  });

  it('rejects options that do not apply, naming them', () => {
    const a = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    expect(() => interPixelLoss(a, a, { rows: 'some' as never })).toThrow(/options\.rows: Invalid option: expected one of "confident"\|"all"/);
    expect(() => interPixelLoss(a, a, { columns: 'none' as never })).toThrow(/options.columns/);
    expect(() => interPixelLoss(a, a, { scope: 'dataset' as never })).toThrow(/options\.scope: Invalid option: expected one of "image"\|"batch"/);
    expect(() => interPixelLoss(a, a, { perClass: 0 })).toThrow(/options\.perClass: Too small: expected number to be >=1/);
    expect(() => interPixelLoss(a, a, { relation: 'spatial', rows: 'all' })).toThrow(/options\.rows: applies to relation 'affinity' only/);
    expect(() => interPixelLoss(a, a, { classes: 'present' })).toThrow(/options\.classes: applies to relation 'spatial' only/);
    a.dispose();
  });
});

describe('selectPixels perClass', () => {
  it('keeps, of each class n > K confident pixels, those at raster positions floor(k n / K)', () => {
    // one image of 1 x 12 pixels, 3 classes; pixel 5 unconfident, pixel 9 ignored
    const classes = [0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 1, 0];
    const probs = tf.tensor4d(
      classes.flatMap((c, i) => [0, 1, 2].map((k) => (k === c ? (i === 5 ? 0.5 : 0.98) : i === 5 ? 0.25 : 0.01))),
      [1, 1, 12, 3],
    );
    const ignore = tf.tensor3d(classes.map((_, i) => (i === 9 ? 1 : 0)), [1, 1, 12]);
    const s = selectPixels(probs, ignore, { confThreshold: 0.95, perClass: 3, maxPixels: null, withAll: true });
    // class 0 confident, not ignored: pixels 0 1 3 4 6 7 11 (n = 7): positions 0, 2, 4 -> pixels 0, 3, 6
    // class 1: 2 10 (n = 2 <= 3, both); class 2: 8
    expect(Array.from(s.confident[0])).toEqual([0, 2, 3, 6, 8, 10]);
    // all: every non-ignored pixel but the confident ones dropped (1 4 7 11): unconfident 5 stays
    expect(Array.from(s.all[0])).toEqual([0, 2, 3, 5, 6, 8, 10]);
    expect(s.confidentShare).toBeCloseTo(10 / 11, 6);
    tf.dispose([probs, ignore]);
  });
});

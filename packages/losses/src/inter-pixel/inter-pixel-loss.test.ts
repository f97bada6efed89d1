import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { Rng } from '@ssseg/core';
import { interPixelLoss, interPixelLossNaive, interPixelLossWithStats, type InterPixelOptions } from './inter-pixel-loss';
import { referenceTerm } from './reference.test-utils';
import { FORMS, expectClose, makeBatch, valueAndGrad } from './batch.test-utils';

describeWithBackends('interPixelLoss', () => {
  const B = 4, H = 5, W = 6, C = 5;
  // image 0: every pixel confident; 1: exactly one; 2: some (every third); 3: none
  const pattern = (b: number, i: number) => b === 0 || (b === 1 && i === 7) || (b === 2 && i % 3 === 0);

  it('matches a float64 loop implementation of docs/IPIXMATCH.md on a tiny image, fast and naive', async () => {
    await expectNoLeak(() => {
      const rng = Rng.fromSeed('tiny');
      const { teacher, student } = makeBatch(rng, 1, 2, 3, 4, () => false);
      const zt = Array.from({ length: 6 }, (_, i) => Array.from(teacher.dataSync().slice(i * 4, i * 4 + 4)));
      const zs = Array.from({ length: 6 }, (_, i) => Array.from(student.dataSync().slice(i * 4, i * 4 + 4)));
      for (const [relation, distance] of FORMS) {
        const options = { relation, distance, confThreshold: 0, teacherTemperature: 0.7, studentTemperature: 1.3 };
        const expected = referenceTerm(zt, zs, relation, distance, { Tt: 0.7, Ts: 1.3 });
        for (const fn of [interPixelLoss, interPixelLossNaive]) {
          const value = fn(teacher, student, options);
          expectArraysClose(value.dataSync(), [expected], 1e-5, 1e-7);
          value.dispose();
        }
      }
      tf.dispose([teacher, student]);
    });
  });

  for (const [relation, distance] of FORMS) {
    it(`${relation}+${distance}: fast path equals the naive reference in value and student gradient`, async () => {
      await expectNoLeak(() => {
        const rng = Rng.fromSeed(`${relation}-${distance}`);
        const { teacher, student } = makeBatch(rng, B, H, W, C, pattern);
        const ignore = tf.tensor3d(Array.from({ length: B * H * W }, (_, k) => (k % (H * W) === 3 ? 1 : 0)), [B, H, W]);
        for (const options of [
          { relation, distance, confThreshold: 0, chunkRows: 7 }, // all pixels, chunks with a remainder
          { relation, distance, confThreshold: 0.95, ignoreMask: ignore, chunkRows: 4 }, // all, one, some, none
          { relation, distance, confThreshold: 0.95, studentTemperature: 0.5, teacherTemperature: 1.25 },
        ] as InterPixelOptions[]) {
          const fast = valueAndGrad((s) => interPixelLoss(teacher, s, options), student);
          const naive = valueAndGrad((s) => interPixelLossNaive(teacher, s, options), student);
          expect(fast.value).toBeGreaterThan(0);
          expectClose([fast.value], [naive.value]);
          expectClose(fast.grad, naive.grad);
          expect(fast.grad.some((g) => g !== 0)).toBe(true);
        }
        tf.dispose([teacher, student, ignore]);
      });
    });
  }

  it('keeps confident, non-ignored pixels only, and reports the counts', async () => {
    await expectNoLeak(() => {
      const { teacher, student } = makeBatch(Rng.fromSeed(3), B, H, W, C, pattern);
      const ignore = tf.tensor3d(Array.from({ length: B * H * W }, (_, k) => (k % (H * W) === 0 ? 1 : 0)), [B, H, W]);
      const r = interPixelLossWithStats(teacher, student, { ignoreMask: ignore });
      // image 0: 30 - 1 ignored; image 1: pixel 7; image 2: i % 3 == 0 is 10 pixels, pixel 0 ignored
      expect(r.keptPerImage).toEqual([29, 1, 9, 0]);
      expect(r.confidentShare).toBeCloseTo((29 + 1 + 9) / (4 * 29), 6);
      r.loss.dispose();
      tf.dispose([teacher, student, ignore]);
    });
  });

  it('samples maxPixels reproducibly from the seed, identically on both paths', async () => {
    await expectNoLeak(() => {
      const { teacher, student } = makeBatch(Rng.fromSeed(4), B, H, W, C, pattern);
      const run = (seed: number, fn = interPixelLoss) => {
        const loss = fn(teacher, student, { confThreshold: 0, maxPixels: 8, rng: Rng.fromSeed(seed) });
        const v = loss.dataSync()[0];
        loss.dispose();
        return v;
      };
      const stats = interPixelLossWithStats(teacher, student, { confThreshold: 0, maxPixels: 8, rng: Rng.fromSeed(1) });
      expect(stats.keptPerImage).toEqual([8, 8, 8, 8]);
      stats.loss.dispose();
      expect(run(1)).toBe(run(1));
      expect(run(1)).not.toBe(run(2));
      expectClose([run(1)], [run(1, interPixelLossNaive)]);
      expect(() => interPixelLoss(teacher, student, { maxPixels: 8 })).toThrow(/maxPixels is set but options.rng is missing/);
      tf.dispose([teacher, student]);
    });
  });

  it('is zero with zero gradients, not an error, when no image keeps two pixels', async () => {
    await expectNoLeak(() => {
      const { teacher, student } = makeBatch(Rng.fromSeed(5), B, H, W, C, (b, i) => b === 1 && i === 7);
      for (const [relation, distance] of FORMS) {
        const r = valueAndGrad((s) => interPixelLoss(teacher, s, { relation, distance }), student);
        expect(r.value).toBe(0);
        expect(r.grad.every((g) => g === 0)).toBe(true);
      }
      tf.dispose([teacher, student]);
    });
  });

  it('is zero when the student equals the teacher and positive otherwise', async () => {
    await expectNoLeak(() => {
      // a third of the pixels confident: every affinity row varies well above the std floor
      const { teacher, student } = makeBatch(Rng.fromSeed(6), 2, 4, 4, C, (_, i) => i % 3 === 0);
      for (const [relation, distance] of FORMS) {
        const same = interPixelLoss(teacher, teacher, { relation, distance, confThreshold: 0 });
        const other = interPixelLoss(teacher, student, { relation, distance, confThreshold: 0 });
        expect(Math.abs(same.dataSync()[0])).toBeLessThan(1e-5);
        expect(other.dataSync()[0]).toBeGreaterThan(1e-3);
        tf.dispose([same, other]);
      }
      tf.dispose([teacher, student]);
    });
  });

  it('gradient steps on the student logits move its affinities toward the teacher', async () => {
    await expectNoLeak(() => {
      const { teacher, student } = makeBatch(Rng.fromSeed(7), 1, 4, 4, 3, () => true);
      const affinityGap = (s: tf.Tensor4D) =>
        tf.tidy(() => {
          const pt = tf.softmax(teacher.reshape([-1, 3])) as tf.Tensor2D;
          const ps = tf.softmax(s.reshape([-1, 3])) as tf.Tensor2D;
          return pt.matMul(pt, false, true).sub(ps.matMul(ps, false, true)).abs().mean().dataSync()[0];
        });
      for (const [relation, distance] of FORMS) {
        const z = tf.variable(student, true, `student-${relation}-${distance}`);
        const options = { relation, distance, confThreshold: 0 } as InterPixelOptions;
        const start = valueAndGrad((s) => interPixelLoss(teacher, s, options), z).value;
        const gapBefore = affinityGap(z);
        const optimizer = tf.train.adam(0.1);
        for (let step = 0; step < 30; step++) {
          const cost = optimizer.minimize(() => interPixelLoss(teacher, z as unknown as tf.Tensor4D, options), true);
          cost?.dispose();
        }
        const end = valueAndGrad((s) => interPixelLoss(teacher, s, options), z).value;
        expect(end).toBeLessThan(start * 0.5);
        if (relation === 'affinity') expect(affinityGap(z)).toBeLessThan(gapBefore);
        optimizer.dispose();
        z.dispose();
      }
      tf.dispose([teacher, student]);
    });
  });

  it('the chunked KL never holds the [M, M] affinity, forward and backward', async () => {
    const M = 1024; // 32 x 32
    const { teacher, student } = makeBatch(Rng.fromSeed(8), 1, 32, 32, 4, () => false);
    const full = M * M * 4;
    const profile = await tf.profile(() => {
      const r = tf.valueAndGrad((x: tf.Tensor) => interPixelLoss(teacher, x as tf.Tensor4D, { confThreshold: 0, chunkRows: 16 }))(student);
      tf.dispose([r.value, r.grad]);
    });
    expect(profile.peakBytes).toBeLessThan(full / 3); // about four [16, M] chunks and O(MC)
    const naive = await tf.profile(() => {
      const r = tf.valueAndGrad((x: tf.Tensor) => interPixelLossNaive(teacher, x as tf.Tensor4D, { confThreshold: 0 }))(student);
      tf.dispose([r.value, r.grad]);
    });
    expect(naive.peakBytes).toBeGreaterThan(full);
    tf.dispose([teacher, student]);
  });

  it('rejects bad options and shapes, naming them', () => {
    const a = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const b = tf.zeros([1, 2, 3, 3]) as tf.Tensor4D;
    expect(() => interPixelLoss(a, b)).toThrow(/studentLogits shape \[1,2,3,3\] differs from teacherLogits shape \[1,2,2,3\]/);
    expect(() => interPixelLoss(a, a, { relation: 'pairwise' as never })).toThrow(/options\.relation: Invalid option: expected one of "affinity"\|"spatial"/);
    expect(() => interPixelLoss(a, a, { distance: 'l2' as never })).toThrow(/options.distance/);
    expect(() => interPixelLoss(a, a, { confThreshold: 2 })).toThrow(/options\.confThreshold: Too big: expected number to be <=1/);
    expect(() => interPixelLoss(a, a, { maxPixels: 1, rng: Rng.fromSeed(1) })).toThrow(/options.maxPixels/);
    const ignore = tf.zeros([1, 3, 2]) as tf.Tensor3D;
    expect(() => interPixelLoss(a, a, { ignoreMask: ignore })).toThrow(/ignoreMask must be \[1,2,2\], got \[1,3,2\]/);
    tf.dispose([a, b, ignore]);
  });
});

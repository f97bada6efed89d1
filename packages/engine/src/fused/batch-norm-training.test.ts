import { tf } from '../tf';
import '../register-all-kernels';
import { describeWithBackends, expectNoLeak } from '../testing';
import { batchNormTraining } from './batch-norm-training';
import { expectCloseRelative, seededTensor } from './fused-test-utils';

const EPS = 1e-5;

/** What the fused kernel replaces: tfjs's moments and batchNorm ops, differentiated by tfjs. */
function decomposed(x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D) {
  const { mean, variance } = tf.moments(x, x.shape.slice(0, -1).map((_, d) => d));
  return { y: tf.batchNorm(x, mean, variance, offset, scale, EPS), mean, variance };
}

/** Values and gradients (x, scale, offset) of sum(y r) + sum(mean r2) + sum(variance r3). */
function valuesAndGrads(f: typeof decomposed, shape: number[]): Float32Array[] {
  const c = shape[shape.length - 1];
  const out = tf.tidy(() => {
    const x = seededTensor(shape, 1, 0.5).mul(3);
    const scale = seededTensor([c], 2, 1) as tf.Tensor1D;
    const offset = seededTensor([c], 3) as tf.Tensor1D;
    const r = seededTensor(shape, 4), r2 = seededTensor([c], 5), r3 = seededTensor([c], 6);
    const { y, mean, variance } = f(x, scale, offset);
    const objective = (a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => {
      const o = f(a, b as tf.Tensor1D, d as tf.Tensor1D);
      return tf.addN([tf.sum(tf.mul(o.y, r)), tf.sum(tf.mul(o.mean, r2)), tf.sum(tf.mul(o.variance, r3))]) as tf.Scalar;
    };
    return [y, mean, variance, ...tf.grads(objective)([x, scale, offset])];
  });
  const arrays = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return arrays;
}

const fused = (x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D) => batchNormTraining(x, scale, offset, EPS);

describeWithBackends('batchNormTraining', (backend) => {
  it.each([
    ['NHWC with odd sizes', [3, 5, 7, 6]],
    ['rank 2', [9, 4]],
    ['one channel', [2, 3, 3, 1]],
    ['large enough for several threads', [2, 32, 33, 16]],
  ])('%s: value, statistics and gradients equal moments + batchNorm within 1e-5', async (_, shape) => {
    const expected = await expectNoLeak(() => valuesAndGrads(decomposed, shape));
    const actual = await expectNoLeak(() => valuesAndGrads(fused, shape));
    expect(actual).toHaveLength(6);
    actual.forEach((a, i) => expectCloseRelative(a, expected[i]));
  });

  it('a single row normalises to the offset, with finite gradients', async () => {
    await expectNoLeak(() => {
      const [y, , variance, dx] = valuesAndGrads(fused, [1, 1, 1, 3]);
      expect(Array.from(variance)).toEqual([0, 0, 0]);
      expect(Array.from(y)).toEqual(Array.from(tf.tidy(() => seededTensor([3], 3).dataSync())));
      expect(Array.from(dx).every(Number.isFinite)).toBe(true);
    });
  });

  it('refuses scale or offset that are not one value per channel', () => {
    expect(() => tf.tidy(() => batchNormTraining(tf.zeros([2, 3]), tf.ones([2]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, EPS)))
      .toThrow('batchNormTraining: expected x of rank >= 2 and scale, offset of shape [3], got [2,3], [2], [3]');
  });

  if (backend === 'native') {
    it('runs as one kernel forward and one backward on native', async () => {
      const info = await tf.profile(() => tf.tidy(() => {
        const x = seededTensor([2, 4, 4, 3], 1);
        tf.grad((v: tf.Tensor) => batchNormTraining(v, tf.ones([3]) as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, EPS).y.sum())(x);
      }));
      expect(info.kernelNames).toEqual(expect.arrayContaining(['SssegBatchNormTrain', 'SssegBatchNormTrainGrad']));
      expect(info.kernelNames).not.toContain('Tile');
    });
  }
});

import { tf } from '../tf';
import '../register-all-kernels';
import { describeWithBackends, expectNoLeak } from '../testing';
import { fusedAffinityKl } from './affinity-kl';
import { expectCloseRelative, seededTensor } from './fused-test-utils';

const EPS = 1e-8;

/** The term as written, [M, M] matrices and autodiff: what the fused kernel replaces. */
function decomposed(pt: tf.Tensor2D, ps: tf.Tensor2D): tf.Scalar {
  const norm = (p: tf.Tensor2D) => {
    const a = p.matMul(p, false, true);
    return a.div(a.sum(1, true));
  };
  const Rt = norm(pt), Rs = norm(ps);
  return Rt.mul(Rt.add(EPS).log().sub(Rs.add(EPS).log())).sum().div(pt.shape[0]) as tf.Scalar;
}

/** Value of the term on softmaxed seeded logits and its gradients to both logits. */
function valueAndGrads(term: (pt: tf.Tensor2D, ps: tf.Tensor2D) => tf.Scalar, M: number, C: number, logitScale = 3): Float32Array[] {
  const out = tf.tidy(() => {
    const lt = seededTensor([M, C], 1).mul(logitScale), ls = seededTensor([M, C], 2).mul(logitScale);
    const f = (a: tf.Tensor, b: tf.Tensor) => term(tf.softmax(a) as tf.Tensor2D, tf.softmax(b) as tf.Tensor2D);
    const { value, grads } = tf.valueAndGrads(f)([lt, ls]);
    return [value, ...grads];
  });
  const arrays = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return arrays;
}

describeWithBackends('fusedAffinityKl', (backend) => {
  const fusedHere = backend === 'native';

  if (fusedHere) {
    it.each([
      ['one pixel', 1, 3, 3],
      ['odd sizes', 7, 5, 3],
      ['several row chunks, the last one short', 203, 21, 3],
      ['peaked probabilities (log ratios over many decades)', 37, 6, 30],
    ])('%s: value and gradients equal the [M, M] form within 1e-5', async (_, M, C, logitScale) => {
      const expected = await expectNoLeak(() => valueAndGrads(decomposed, M, C, logitScale));
      const actual = await expectNoLeak(() => valueAndGrads((pt, ps) => fusedAffinityKl(pt, ps, EPS)!, M, C, logitScale));
      expect(actual).toHaveLength(3);
      expectCloseRelative(actual[0], expected[0]);
      expect(Array.from(actual[1])).toEqual(new Array(M * C).fill(0));  // the teacher gets no gradient
      expectCloseRelative(actual[2], expected[2]);
    });

    it('holds no [M, M] tensor on the tfjs side, forward and backward (the [M, M] form does)', async () => {
      const M = 512, C = 4;
      const peakBytes = async (term: (pt: tf.Tensor2D, ps: tf.Tensor2D) => tf.Scalar) => {
        const pt = tf.tidy(() => tf.softmax(seededTensor([M, C], 1)) as tf.Tensor2D), ps = tf.tidy(() => tf.softmax(seededTensor([M, C], 2)) as tf.Tensor2D);
        const info = await tf.profile(() => tf.tidy(() => {
          tf.grad((q: tf.Tensor) => term(pt, q as tf.Tensor2D))(ps);
        }));
        tf.dispose([pt, ps]);
        return info.peakBytes - info.newBytes;
      };
      await expectNoLeak(async () => {
        expect(await peakBytes(decomposed)).toBeGreaterThan(M * M * 4);
        expect(await peakBytes((pt, ps) => fusedAffinityKl(pt, ps, EPS)!)).toBeLessThan(M * M * 4);
      });
    });

    it('refuses teacher and student of different shapes', () => {
      expect(() => tf.tidy(() => fusedAffinityKl(tf.ones([3, 2]), tf.ones([3, 3]), EPS)))
        .toThrow('fusedAffinityKl: expected teacher and student probabilities of one [M, C] shape, got [3,2] and [3,3]');
    });
  } else {
    it('is undefined where the backend has no fused kernel, so the caller takes its chunked form', () => {
      tf.tidy(() => expect(fusedAffinityKl(tf.ones([3, 2]), tf.ones([3, 2]), EPS)).toBeUndefined());
    });
  }
});

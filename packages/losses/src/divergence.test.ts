import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { klDivergence, pixelConsistency } from './divergence';

const P = [0.7, 0.2, 0.1, 0.25, 0.25, 0.5];
const Q = [0.5, 0.3, 0.2, 0.1, 0.6, 0.3];

describeWithBackends('divergences', () => {
  it('klDivergence is the per-pixel KL(p || q) averaged over non-ignored pixels', async () => {
    await expectNoLeak(() => {
      const p = tf.tensor3d(P, [1, 2, 3]);
      const q = tf.tensor3d(Q, [1, 2, 3]);
      const kl = (a: number[], b: number[]) => a.reduce((acc, v, i) => acc + v * (Math.log(v + 1e-8) - Math.log(b[i] + 1e-8)), 0);
      const k0 = kl(P.slice(0, 3), Q.slice(0, 3));
      const k1 = kl(P.slice(3), Q.slice(3));
      const all = klDivergence(p, q);
      expectArraysClose(all.dataSync(), [(k0 + k1) / 2]);
      const ignore = tf.tensor2d([0, 1], [1, 2]);
      const masked = klDivergence(p, q, ignore);
      expectArraysClose(masked.dataSync(), [k0]);
      const same = klDivergence(p, p);
      expect(Math.abs(same.dataSync()[0])).toBeLessThan(1e-7);
      const grad = tf.grad((x: tf.Tensor) => klDivergence(x, q))(p); // target side has no gradient
      expect(Array.from(grad.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
      tf.dispose([p, q, all, ignore, masked, same, grad]);
    });
  });

  it('pixelConsistency is the MSE of probabilities over classes and non-ignored pixels', async () => {
    await expectNoLeak(() => {
      const s = tf.tensor3d(Q, [1, 2, 3]);
      const t = tf.tensor3d(P, [1, 2, 3]);
      const sq = Q.map((v, i) => (v - P[i]) ** 2);
      const loss = pixelConsistency(s, t);
      expectArraysClose(loss.dataSync(), [sq.reduce((a, b) => a + b, 0) / 6]);
      const ignore = tf.tensor2d([1, 0], [1, 2]);
      const masked = pixelConsistency(s, t, ignore);
      expectArraysClose(masked.dataSync(), [(sq[3] + sq[4] + sq[5]) / 3]);
      const grad = tf.grad((x: tf.Tensor) => pixelConsistency(x, t))(s);
      expectArraysClose(grad.dataSync(), Q.map((v, i) => (2 * (v - P[i])) / 6));
      const wrong = tf.zeros([1, 2, 2]);
      expect(() => pixelConsistency(s, wrong)).toThrow(/pixelConsistency: shapes differ/);
      tf.dispose([s, t, loss, ignore, masked, grad, wrong]);
    });
  });
});

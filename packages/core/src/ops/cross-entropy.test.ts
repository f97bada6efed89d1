import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { crossEntropy, unsupervisedCrossEntropy } from './cross-entropy';
import { resizeLogits } from './resize';

/** -log softmax(row)[label] in float64. */
function naiveCe(row: number[], label: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((acc, v) => acc + Math.exp(v - m), 0));
  return lse - row[label];
}

/** Logits [1, 2, 2, 3] (pixel p, class c) and labels [1, 2, 2]. */
const LOGITS = [1, 2, 0.5, -1, 0, 3, 2, 2, 2, 0.3, -0.7, 1.1];
const LABELS = [1, 255, 0, 2];

describeWithBackends('crossEntropy', () => {
  const rows = [0, 1, 2, 3].map((p) => LOGITS.slice(p * 3, p * 3 + 3));

  it('is the mean over non-ignored pixels of -log p(label)', async () => {
    await expectNoLeak(() => {
      const logits = tf.tensor4d(LOGITS, [1, 2, 2, 3]);
      const labels = tf.tensor3d(LABELS, [1, 2, 2], 'int32');
      const expected = (naiveCe(rows[0], 1) + naiveCe(rows[2], 0) + naiveCe(rows[3], 2)) / 3;
      const loss = crossEntropy(logits, labels);
      expectArraysClose(loss.dataSync(), [expected]);
      const weights = tf.tensor3d([2, 5, 0.5, 0], [1, 2, 2]);
      const weighted = crossEntropy(logits, labels, weights);
      expectArraysClose(weighted.dataSync(), [(2 * naiveCe(rows[0], 1) + 0.5 * naiveCe(rows[2], 0)) / 3]);
      tf.dispose([logits, labels, loss, weights, weighted]);
    });
  });

  it('upsamples smaller logits bilinearly (alignCorners false) to the label size', async () => {
    await expectNoLeak(() => {
      const logits = tf.tensor4d(LOGITS, [1, 2, 2, 3]);
      const labels = tf.tensor3d(Array.from({ length: 16 }, (_, i) => (i === 5 ? 255 : i % 3)), [1, 4, 4], 'int32');
      const up = resizeLogits(logits, [4, 4]);
      const upRows = up.arraySync()[0].flat();
      let sum = 0;
      labels.dataSync().forEach((l, i) => { if (l !== 255) sum += naiveCe(upRows[i], l); });
      const loss = crossEntropy(logits, labels);
      expectArraysClose(loss.dataSync(), [sum / 15]);
      // alignCorners false, half-pixel centres: output (0,0) equals input (0,0); (0,1) is 3/4 (0,0) + 1/4 (0,1)
      expectArraysClose(upRows[1], rows[0].map((v, c) => 0.75 * v + 0.25 * rows[1][c]));
      const same = resizeLogits(logits, [2, 2]);
      expect(same).not.toBe(logits);
      // the gradient flows back through the resize (ResizeBilinearGrad with half-pixel centres)
      const grad = tf.grad((x: tf.Tensor) => crossEntropy(x as tf.Tensor4D, labels))(logits);
      const h = 1e-2;
      const bump = (d: number) => tf.tidy(() => crossEntropy(logits.add(tf.oneHot([4], 12).reshape([1, 2, 2, 3]).mul(d)) as tf.Tensor4D, labels).dataSync()[0]);
      expectArraysClose([grad.dataSync()[4]], [(bump(h) - bump(-h)) / (2 * h)], 1e-2, 1e-4);
      grad.dispose();
      tf.dispose([logits, labels, up, loss, same]);
    });
  });

  it('gives the gradient softmax - onehot over the valid count', async () => {
    await expectNoLeak(() => {
      const logits = tf.tensor4d(LOGITS, [1, 2, 2, 3]);
      const labels = tf.tensor3d(LABELS, [1, 2, 2], 'int32');
      const grad = tf.grad((x: tf.Tensor) => crossEntropy(x as tf.Tensor4D, labels))(logits);
      const expected = rows.flatMap((row, p) => {
        if (LABELS[p] === 255) return [0, 0, 0];
        const e = row.map(Math.exp);
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((v, c) => (v / s - (c === LABELS[p] ? 1 : 0)) / 3);
      });
      expectArraysClose(grad.dataSync(), expected);
      tf.dispose([logits, labels, grad]);
    });
  });

  it('is zero, not NaN, when every pixel is ignored, and rejects mismatched shapes', async () => {
    await expectNoLeak(() => {
      const logits = tf.tensor4d(LOGITS, [1, 2, 2, 3]);
      const labels = tf.fill([1, 2, 2], 255, 'int32') as tf.Tensor3D;
      const loss = crossEntropy(logits, labels);
      expect(loss.dataSync()[0]).toBe(0);
      const bad = tf.zeros([2, 2, 2], 'int32') as tf.Tensor3D;
      expect(() => crossEntropy(logits, bad)).toThrow(/crossEntropy: labels must be \[B, H, W\] with B = 1, got shape \[2,2,2\]/);
      const badWeights = tf.zeros([1, 3, 2]) as tf.Tensor3D;
      expect(() => crossEntropy(logits, labels, badWeights)).toThrow(/weights must have the labels' shape/);
      tf.dispose([logits, labels, loss, bad, badWeights]);
    });
  });
});

describeWithBackends('unsupervisedCrossEntropy', () => {
  it("sums CE over kept pixels and divides by the non-ignored count, as UniMatch does", async () => {
    await expectNoLeak(() => {
      const logits = tf.tensor4d(LOGITS, [1, 2, 2, 3]);
      const pseudo = tf.tensor3d([1, 0, 0, 2], [1, 2, 2], 'int32');
      const mask = tf.tensor3d([1, 1, 0, 1], [1, 2, 2]);
      const ignore = tf.tensor3d([0, 0, 0, 1], [1, 2, 2]);
      const rows = [0, 1, 2, 3].map((p) => LOGITS.slice(p * 3, p * 3 + 3));
      // kept: pixels 0 and 1 (pixel 2 not confident, pixel 3 ignored); denominator: 3 non-ignored
      const expected = (naiveCe(rows[0], 1) + naiveCe(rows[1], 0)) / 3;
      const loss = unsupervisedCrossEntropy(logits, pseudo, mask, ignore);
      expectArraysClose(loss.dataSync(), [expected]);
      const noIgnore = unsupervisedCrossEntropy(logits, pseudo, mask);
      expectArraysClose(noIgnore.dataSync(), [(naiveCe(rows[0], 1) + naiveCe(rows[1], 0) + naiveCe(rows[3], 2)) / 4]);
      tf.dispose([logits, pseudo, mask, ignore, loss, noIgnore]);
    });
  });
});

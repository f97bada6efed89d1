import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { resizeLogits, resizeMask } from './resize';

describeWithBackends('resizeLogits', () => {
  it("equals tfjs's half-pixel-centre bilinear resize, up and down, and copies on equal sizes", async () => {
    await expectNoLeak(() => {
      const x = tf.randomNormal([2, 3, 5, 4], 0, 1, 'float32', 11) as tf.Tensor4D;
      for (const size of [[7, 9], [2, 3], [3, 10], [6, 5]] as [number, number][]) {
        const ours = resizeLogits(x, size);
        const stock = tf.image.resizeBilinear(x, size, false, true);
        expect(ours.shape).toEqual([2, ...size, 4]);
        expectArraysClose(ours.dataSync(), stock.dataSync(), 1e-5, 1e-6);
        tf.dispose([ours, stock]);
      }
      const same = resizeLogits(x, [3, 5]);
      expect(same).not.toBe(x);
      tf.dispose([x, same]);
    });
  });

  it('has the gradient of the function it computes (finite differences)', async () => {
    await expectNoLeak(() => {
      const x = tf.randomNormal([1, 2, 3, 2], 0, 1, 'float32', 12) as tf.Tensor4D;
      const probe = tf.randomNormal([1, 5, 4, 2], 0, 1, 'float32', 13);
      const f = (t: tf.Tensor) => resizeLogits(t as tf.Tensor4D, [5, 4]).mul(probe).sum() as tf.Scalar;
      const grad = tf.grad(f)(x);
      const numeric = Array.from({ length: x.size }, (_, k) =>
        tf.tidy(() => {
          const e = tf.oneHot([k], x.size).reshape(x.shape).mul(1e-2);
          return (f(x.add(e)).dataSync()[0] - f(x.sub(e)).dataSync()[0]) / 2e-2;
        }),
      );
      expectArraysClose(grad.dataSync(), numeric, 1e-2, 1e-3);
      tf.dispose([x, probe, grad]);
    });
  });

  it('resizes masks by nearest neighbour', async () => {
    await expectNoLeak(() => {
      const m = tf.tensor3d([0, 1, 1, 0], [1, 2, 2]);
      const up = resizeMask(m, [4, 4]);
      expect(Array.from(up.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0]);
      tf.dispose([m, up]);
    });
  });
});

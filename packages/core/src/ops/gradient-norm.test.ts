import { tf, describeWithBackends, expectNoLeak } from '@ssseg/engine';
import { gradientNormOnTape } from './gradient-norm';

const tapeLength = () => ((tf.engine().state as unknown as { activeTape: unknown[] | null }).activeTape ?? []).length;

describeWithBackends('gradientNormOnTape', () => {
  it('gives the norm of an intermediate scalar gradient, leaves the step gradient and its tape as they were, and leaks nothing', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor1d([1, -2, 0.5, 3]);
      const stepLoss = (v: tf.Tensor, measure: boolean, seen: number[]) => {
        const h = v.square(); // the "student logits": an intermediate, not a variable
        const term = h.mul(3).sum() as tf.Scalar; // d term / dh = 3 everywhere
        const other = h.sin().sum() as tf.Scalar;
        if (measure) {
          const before = tapeLength();
          seen.push(gradientNormOnTape(term, [h]), gradientNormOnTape(other, [h]), gradientNormOnTape(term, [v]));
          seen.push(tapeLength() - before);
        }
        return term.add(other);
      };
      const seen: number[] = [];
      const measured = tf.grad((v: tf.Tensor) => stepLoss(v, true, seen))(x);
      const plain = tf.grad((v: tf.Tensor) => stepLoss(v, false, []))(x);
      expect(Array.from(measured.dataSync())).toEqual(Array.from(plain.dataSync()));
      const h = [1, 4, 0.25, 9];
      expect(seen[0]).toBeCloseTo(3 * 2, 5); // sqrt(4 * 3^2)
      expect(seen[1]).toBeCloseTo(Math.sqrt(h.reduce((a, v) => a + Math.cos(v) ** 2, 0)), 5);
      expect(seen[2]).toBeCloseTo(Math.sqrt([1, -2, 0.5, 3].reduce((a, v) => a + (6 * v) ** 2, 0)), 4); // d/dv 3 v^2 = 6v
      expect(seen[3]).toBe(0); // no op of the measurement went on the step's tape
      tf.dispose([x, measured, plain]);
    });
  });

  it('is 0 for a y that does not depend on xs, and refuses to run outside a gradient scope', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor1d([1, 2]);
      const unrelated = tf.tensor1d([3, 4]);
      let norm = -1;
      const g = tf.grad((v: tf.Tensor) => {
        const y = v.sum() as tf.Scalar;
        norm = gradientNormOnTape(unrelated.sum() as tf.Scalar, [v]);
        return y;
      })(x);
      expect(norm).toBe(0);
      const y = x.sum() as tf.Scalar;
      expect(() => gradientNormOnTape(y, [x])).toThrow(/must have been computed inside a gradient scope/);
      tf.dispose([x, unrelated, g, y]);
    });
  });
});

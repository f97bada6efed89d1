import { tf } from '../tf';
import '../register-all-kernels';
import { describeWithBackends, expectArraysClose, expectNoLeak } from '../testing';

const xs = [0.3, -1.2, 2.0, 0.05, -0.7, 1.1];

describeWithBackends('backprop that releases spent gradients and saved tensors', () => {
  it('gradients of a shared input, a two-output op and a caller dy equal the hand-derived ones', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor1d(xs), w = tf.tensor1d(xs.map((v) => 1 - v));
      const dy = tf.scalar(2);
      // f = sum(exp(x) w + x x) + sum(a b), where [a, b] = split(x): x feeds four nodes, split two outputs
      const f = (a: tf.Tensor, b: tf.Tensor) => {
        const [lo, hi] = tf.split(a, 2);
        return tf.add(tf.sum(tf.add(tf.mul(tf.exp(a), b), tf.mul(a, a))), tf.sum(tf.mul(lo, hi))) as tf.Scalar;
      };
      const [gx, gw] = tf.grads(f)([x, w], dy);
      const half = xs.length / 2;
      const partner = (i: number) => (i < half ? xs[i + half] : xs[i - half]);
      expectArraysClose(gx.dataSync(), xs.map((v, i) => 2 * (Math.exp(v) * (1 - v) + 2 * v + partner(i))));
      expectArraysClose(gw.dataSync(), xs.map((v) => 2 * Math.exp(v)));
      expect(dy.isDisposed).toBe(false);
      tf.dispose([x, w, dy, gx, gw]);
    });
  });

  it('a gradient function that hands dy back unchanged to two inputs gives both the right gradient', async () => {
    await expectNoLeak(() => {
      const passThrough = tf.customGrad(((a: tf.Tensor, b: tf.Tensor) => ({
        value: tf.add(a, b),
        gradFunc: (dy: tf.Tensor) => [dy, dy],
      })) as never) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
      const x = tf.tensor1d(xs);
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(passThrough(tf.exp(v), tf.square(v)), 3)))(x);
      expectArraysClose(g.dataSync(), xs.map((v) => 3 * (Math.exp(v) + 2 * v)));
      tf.dispose([x, g]);
    });
  });

  it('the backward pass of a 40-op chain holds a few tensors at a time, not one gradient and one activation per op', async () => {
    const counts: number[] = [];
    // an identity whose gradient records how many tensors are alive when the backward pass reaches it
    const probe = tf.customGrad(((a: tf.Tensor) => ({
      value: tf.clone(a),
      gradFunc: (dy: tf.Tensor) => {
        counts.push(tf.memory().numTensors);
        return dy;
      },
    })) as never) as (a: tf.Tensor) => tf.Tensor;
    await expectNoLeak(() => {
      const x = tf.randomNormal([256]);
      const before = tf.memory().numTensors;
      const g = tf.grad((v: tf.Tensor) => {
        let h = probe(v);
        for (let i = 0; i < 40; i++) h = tf.sin(h);
        return tf.sum(h);
      })(x);
      expect(counts).toHaveLength(1);
      // stock tfjs holds here the 40 saved inputs of sin and 40 gradients: 80 and more
      expect(counts[0] - before).toBeLessThan(12);
      tf.dispose([x, g]);
    });
  });

  it('variableGrads and an optimizer step keep their numbers and leave nothing behind', async () => {
    const w = tf.variable(tf.tensor2d([[0.5, -1], [2, 0.25]]));
    const target = tf.tensor2d([[1, 0], [0, 1]]);
    await expectNoLeak(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(tf.matMul(w, w), target))) as tf.Scalar);
      // d/dW sum((W W - T)^2) = 2 (E W^T + W^T E), E = W W - T
      const W = [[0.5, -1], [2, 0.25]];
      const E = [[0.5 * 0.5 + -1 * 2 - 1, 0.5 * -1 + -1 * 0.25], [2 * 0.5 + 0.25 * 2, 2 * -1 + 0.25 * 0.25 - 1]];
      const expected = [0, 1].flatMap((i) => [0, 1].map((j) => 2 * (E[i][0] * W[j][0] + E[i][1] * W[j][1] + W[0][i] * E[0][j] + W[1][i] * E[1][j])));
      expectArraysClose(grads[w.name].dataSync(), expected);
      expectArraysClose(value.dataSync(), [E.flat().reduce((s, e) => s + e * e, 0)]);
      tf.dispose([value, ...Object.values(grads)]);
      const optimizer = tf.train.sgd(0.01);
      optimizer.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
      optimizer.dispose();
    });
    expectArraysClose(w.dataSync(), [0.49, -0.98, 1.96, 0.245]);
    tf.dispose([w, target]);
  });

  it('higher-order gradients (tfjs own backprop under an outer tape) still work', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor1d([1, -2, 3]);
      const g2 = tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.pow(u, 3)))(v)))(x);
      expectArraysClose(g2.dataSync(), [6, -12, 18]);
      tf.dispose([x, g2]);
    });
  });

  it('refuses a y that does not depend on x, as tfjs does, without leaving y behind', async () => {
    await expectNoLeak(() => {
      const x = tf.scalar(1), other = tf.scalar(2);
      expect(() => tf.grad(() => tf.square(other))(x)).toThrow('Cannot compute gradient of y=f(x) with respect to x');
      tf.dispose([x, other]);
    });
  });
});

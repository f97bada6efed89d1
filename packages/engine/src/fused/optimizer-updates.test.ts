import { tf } from '../tf';
import '../register-all-kernels';
import { describeWithBackends, expectNoLeak } from '../testing';
import { fusedAdamUpdate, fusedSgdUpdate } from './optimizer-updates';
import { seededTensor } from './fused-test-utils';

/** The stock path of packages/core's Sgd, op by op. */
function stockSgd(p: tf.Tensor, g: tf.Tensor, buf: tf.Tensor | undefined, o: { lr: number; momentum: number; weightDecay: number; nesterov: boolean }): tf.Tensor[] {
  let d = o.weightDecay ? g.add(p.mul(o.weightDecay)) : g;
  if (!o.momentum) return [p.sub(d.mul(o.lr))];
  const next = buf ? buf.mul(o.momentum).add(d) : d;
  d = o.nesterov ? d.add(next.mul(o.momentum)) : next;
  return [p.sub(d.mul(o.lr)), next];
}

/** The stock path of packages/core's Adam, op by op. */
function stockAdam(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: { lr: number; beta1: number; beta2: number; epsilon: number; bias1: number; bias2: number; weightDecay: number }): tf.Tensor[] {
  const m2 = m.mul(o.beta1).add(g.mul(1 - o.beta1));
  const v2 = v.mul(o.beta2).add(g.square().mul(1 - o.beta2));
  const update = m2.div(o.bias1).div(v2.div(o.bias2).sqrt().add(o.epsilon));
  let next = p.sub(update.mul(o.lr));
  if (o.weightDecay) next = next.sub(p.mul(o.lr * o.weightDecay));
  return [next, m2, v2];
}

const sizes = [[7], [3, 3, 5, 11], [40_000]];

describeWithBackends('fused optimizer updates', (backend) => {
  const fusedHere = backend === 'native';

  it.each([
    ['momentum and weight decay, first step', { lr: 0.01, momentum: 0.9, weightDecay: 1e-4, nesterov: false }, false],
    ['momentum and weight decay, later step', { lr: 0.01, momentum: 0.9, weightDecay: 1e-4, nesterov: false }, true],
    ['nesterov', { lr: 0.1, momentum: 0.5, weightDecay: 0, nesterov: true }, true],
    ['plain SGD', { lr: 0.3, momentum: 0, weightDecay: 0.01, nesterov: false }, false],
  ])('SGD %s: the same bits as the stock ops', async (_, options, withBuffer) => {
    await expectNoLeak(() => {
      for (const shape of sizes) {
        const [expected, actual] = tf.tidy(() => {
          const p = seededTensor(shape, 1), g = seededTensor(shape, 2), buf = withBuffer ? seededTensor(shape, 3) : undefined;
          const fused = fusedSgdUpdate(p, g, buf, options);
          expect(fused !== undefined).toBe(fusedHere);
          const stock = stockSgd(p, g, buf, options);
          return [stock, fused ? [fused.param, ...(fused.buffer ? [fused.buffer] : [])] : stock];
        });
        expect(actual).toHaveLength(expected.length);
        actual.forEach((t, i) => {
          expect(t.shape).toEqual(shape);
          expect(Array.from(t.dataSync())).toEqual(Array.from(expected[i].dataSync()));
        });
        tf.dispose([...expected, ...actual]);
      }
    });
  });

  it.each([
    ['first step', { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, bias1: 0.1, bias2: 1 - 0.999, weightDecay: 0 }],
    ['later step with decoupled weight decay', { lr: 0.05, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, bias1: 1 - 0.8 ** 7, bias2: 1 - 0.99 ** 7, weightDecay: 0.01 }],
  ])('Adam %s: the same bits as the stock ops', async (_, options) => {
    await expectNoLeak(() => {
      for (const shape of sizes) {
        const [expected, actual] = tf.tidy(() => {
          const p = seededTensor(shape, 1), g = seededTensor(shape, 2), m = seededTensor(shape, 3).mul(0.1), v = seededTensor(shape, 4, 1).mul(0.01);
          const fused = fusedAdamUpdate(p, g, m, v, options);
          expect(fused !== undefined).toBe(fusedHere);
          const stock = stockAdam(p, g, m, v, options);
          return [stock, fused ?? stock];
        });
        actual.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(expected[i].dataSync())));
        tf.dispose([...expected, ...actual]);
      }
    });
  });

  if (fusedHere) {
    it('refuses a non-float32 parameter with a message naming the input', () => {
      expect(() => tf.tidy(() => tf.engine().runKernel('SssegSgdUpdate', { param: tf.tensor1d([1], 'int32'), grad: tf.tensor1d([1]) }, { lr: 1, momentum: 0, weightDecay: 0, nesterov: false })))
        .toThrow("SssegSgdUpdate: input 'param' must be a float32 tensor");
    });
  }
});

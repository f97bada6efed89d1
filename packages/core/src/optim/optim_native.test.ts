import { tf, describeIf, expectNoLeak, initEngine, nativeUnavailableReason } from '@ssseg/engine';
import { Sgd } from './sgd';
import { Adam } from './adam';
import type { Optimizer } from '../tokens';

/** Weights and optimizer state after `steps` updates of two parameters (one above the addon's threading size) in two lr groups. */
async function train(backend: string, make: () => Optimizer, steps: number): Promise<Map<string, number[]>> {
  await initEngine({ backend, verbose: false });
  return expectNoLeak(() => {
    const a = tf.tidy(() => tf.variable(tf.linspace(-1, 1, 7), true));
    const b = tf.tidy(() => tf.variable(tf.sin(tf.range(0, 40_000)), true));
    const groups = [
      { name: 'backbone', variables: new Map([['a', a]]), lrMultiplier: 1 },
      { name: 'head', variables: new Map([['b', b]]), lrMultiplier: 10 },
    ];
    const opt = make();
    for (let step = 0; step < steps; step++) {
      const grads = new Map<string, tf.Tensor>([['a', tf.tidy(() => tf.cos(a.mul(step + 1)))], ['b', tf.tidy(() => b.mul(b).sub(0.3))]]);
      opt.apply(groups, grads, 0.01 / (step + 1));
      tf.dispose([...grads.values()]);
    }
    const out = new Map<string, number[]>([['a', Array.from(a.dataSync())], ['b', Array.from(b.dataSync())]]);
    const state = opt.state();
    for (const [name, t] of state) out.set(name, Array.from(t.dataSync()));
    tf.dispose([...state.values(), a, b]);
    opt.dispose();
    return out;
  });
}

describeIf(nativeUnavailableReason(), 'optimizers on native (one fused kernel per parameter) give the bits of the stock ops on cpu', () => {
  afterAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it.each([
    ['SGD, momentum and weight decay', () => new Sgd({ momentum: 0.9, weightDecay: 1e-4 })],
    ['SGD, nesterov', () => new Sgd({ momentum: 0.5, weightDecay: 0, nesterov: true })],
    ['SGD without momentum', () => new Sgd({ momentum: 0, weightDecay: 0.01 })],
    ['Adam', () => new Adam({ weightDecay: 0 })],
    ['AdamW', () => new Adam({ weightDecay: 0.05 })],
  ])('%s', async (_, make) => {
    const expected = await train('cpu', make, 3);
    const actual = await train('native', make, 3);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, values] of expected) expect(actual.get(name)).toEqual(values);
  });
});

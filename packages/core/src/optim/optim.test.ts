import { tf, expectNoLeak, expectArraysClose } from '@ssseg/engine';
import { Sgd } from './sgd';
import { Adam } from './adam';
import { polyLr } from './schedule';

/** Reference updates written out by hand, as torch.optim.SGD / AdamW define them. */
describe('optimizers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('SGD with momentum and weight decay follows the torch recurrence, per param group', async () => {
    await expectNoLeak(() => {
      const a = tf.tidy(() => tf.variable(tf.tensor1d([1, -2]), true, 'sgd-a'));
      const b = tf.tidy(() => tf.variable(tf.tensor1d([0.5]), true, 'sgd-b'));
      const opt = new Sgd({ momentum: 0.9, weightDecay: 0.1 });
      const groups = [
        { name: 'backbone', variables: new Map([['a', a]]), lrMultiplier: 1 },
        { name: 'head', variables: new Map([['b', b]]), lrMultiplier: 10 },
      ];
      const gA = [0.3, 0.4], gB = [-1];
      let wA = [1, -2], wB = [0.5], bufA = [0, 0], bufB = [0];
      for (let step = 0; step < 3; step++) {
        const grads = new Map<string, tf.Tensor>([['a', tf.tensor1d(gA)], ['b', tf.tensor1d(gB)]]);
        opt.apply(groups, grads, 0.01);
        tf.dispose([...grads.values()]);
        const dA = gA.map((g, i) => g + 0.1 * wA[i]);
        const dB = gB.map((g, i) => g + 0.1 * wB[i]);
        bufA = step === 0 ? dA : bufA.map((m, i) => 0.9 * m + dA[i]);
        bufB = step === 0 ? dB : bufB.map((m, i) => 0.9 * m + dB[i]);
        wA = wA.map((w, i) => w - 0.01 * bufA[i]);
        wB = wB.map((w, i) => w - 0.1 * bufB[i]);
        expectArraysClose(a.dataSync(), wA, 1e-6);
        expectArraysClose(b.dataSync(), wB, 1e-6);
      }
      // state round trip: a restored optimizer continues identically
      const state = opt.state();
      const copy = new Sgd({ momentum: 0.9, weightDecay: 0.1 });
      copy.loadState(state);
      tf.dispose([...state.values()]);
      const a2 = tf.tidy(() => tf.variable(a.clone(), true, 'sgd-a2'));
      const g = new Map<string, tf.Tensor>([['a', tf.tensor1d(gA)]]);
      opt.apply([groups[0]], g, 0.01);
      copy.apply([{ name: 'backbone', variables: new Map([['a', a2]]), lrMultiplier: 1 }], g, 0.01);
      expectArraysClose(a2.dataSync(), a.dataSync(), 0);
      tf.dispose([...g.values(), a, b, a2]);
      opt.dispose();
      copy.dispose();
    });
  });

  it('Adam matches the bias-corrected update', async () => {
    await expectNoLeak(() => {
      const w = tf.tidy(() => tf.variable(tf.tensor1d([1]), true, 'adam-w'));
      const opt = new Adam({ weightDecay: 0 });
      let m = 0, v = 0, x = 1;
      for (let t = 1; t <= 3; t++) {
        const g = 2 * x; // gradient of x^2
        const grads = new Map<string, tf.Tensor>([['w', tf.tensor1d([g])]]);
        opt.apply([{ name: 'all', variables: new Map([['w', w]]), lrMultiplier: 1 }], grads, 0.1);
        tf.dispose([...grads.values()]);
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        x -= (0.1 * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
        expectArraysClose(w.dataSync(), [x], 1e-5);
      }
      w.dispose();
      opt.dispose();
    });
  });

  it('poly schedule decays to zero', () => {
    expect(polyLr(0.01, 0, 100)).toBe(0.01);
    expect(polyLr(0.01, 50, 100)).toBeCloseTo(0.01 * 0.5 ** 0.9, 12);
    expect(polyLr(0.01, 100, 100)).toBe(0);
  });
});

import { tf, describeWithBackends, expectNoLeak } from '@ssseg/engine';
import { PluginHost, Regularizer, Rng, type UnsupervisedContext, type StrongViewContext } from '@ssseg/core';
import plugin from './index';

function context(studentLogits: tf.Tensor4D, ignore: tf.Tensor3D, step = 0): UnsupervisedContext {
  const view = { studentLogits, teacherLogits: studentLogits, ignoreMask: ignore } as StrongViewContext;
  return {
    views: [view], weakTeacherLogits: studentLogits, inputSize: [2, 2], numClasses: 2,
    step, totalSteps: 100, rng: Rng.fromSeed(1), log: () => undefined,
  };
}

describeWithBackends('entropy-min', () => {
  const host = new PluginHost();
  host.load(plugin);

  it('equals the hand-computed mean entropy over non-ignored pixels, times the weight', async () => {
    await expectNoLeak(() => {
      const reg = host.build(Regularizer, { type: 'entropy-min', weight: 2 }, 'regularizers[0]');
      // pixel 0: uniform (entropy ln 2); pixel 1: logits (0, ln 3) -> p = (1/4, 3/4); pixel 2 ignored; pixel 3: uniform
      const logits = tf.tensor4d([0, 0, 0, Math.log(3), 9, -9, 0, 0], [1, 2, 2, 2]);
      const ignore = tf.tensor3d([0, 0, 1, 0], [1, 2, 2]);
      const h1 = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
      const expected = (2 * (Math.LN2 + h1 + Math.LN2)) / 3;
      const value = reg.loss(context(logits, ignore));
      expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
      tf.dispose([logits, ignore, value]);
    });
  });

  it('ramps its weight up and sends gradients to the student', async () => {
    await expectNoLeak(() => {
      const reg = host.build(Regularizer, { type: 'entropy-min', rampUp: 10 }, 'regularizers[0]');
      const logits = tf.tensor4d([0.3, 0, 0, 1, 2, 0, 0, 0.1], [1, 2, 2, 2]);
      const ignore = tf.zeros([1, 2, 2]) as tf.Tensor3D;
      const atZero = reg.loss(context(logits, ignore, 0));
      expect(atZero.dataSync()[0]).toBe(0);
      const grad = tf.grad((x: tf.Tensor) => reg.loss(context(x as tf.Tensor4D, ignore, 5)))(logits);
      expect(Array.from(grad.dataSync()).some((g) => Math.abs(g) > 1e-4)).toBe(true);
      tf.dispose([logits, ignore, atZero, grad]);
    });
  });
});

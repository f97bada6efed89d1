import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { PluginHost, TeacherStrategy, TinySegmentationModel } from '@ssseg/core';
import plugin from './index';

describeWithBackends('teachers', () => {
  const host = new PluginHost();
  host.load(plugin);

  it('shared: predicts with the student and passes no gradient', async () => {
    await expectNoLeak(() => {
      const student = new TinySegmentationModel({ numClasses: 3, seed: 1 });
      const teacher = host.build(TeacherStrategy, { type: 'shared' }, 'method.teacher');
      teacher.attach(student);
      const x = tf.randomUniform([1, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const grads = tf.variableGrads(() => teacher.predict(x).logits.sum() as tf.Scalar, [...student.trainableVariables().values()]);
      // the only path to the variables is cut, so every gradient is zero
      for (const g of Object.values(grads.grads)) expect(Array.from(g.dataSync()).every((v) => v === 0)).toBe(true);
      tf.dispose([x, grads.value, ...Object.values(grads.grads)]);
      teacher.dispose();
      student.dispose();
    });
  });

  it('ema: follows decay * teacher + (1 - decay) * student with warm-up', async () => {
    await expectNoLeak(() => {
      const student = new TinySegmentationModel({ numClasses: 2, seed: 2 });
      const teacher = host.build(TeacherStrategy, { type: 'ema', decay: 0.99 }, 'method.teacher');
      teacher.attach(student);
      const before = Array.from(teacher.model().getWeights().get('classifier.weight')!.dataSync());
      // move the student, then update the teacher at step 100 (decay = min(0.99, 101 / 110))
      const w = student.trainableVariables().get('classifier.weight')!;
      const moved = tf.tidy(() => w.add(1));
      w.assign(moved);
      moved.dispose();
      teacher.afterStep(student, 100);
      const decay = Math.min(0.99, 101 / 110);
      const expected = before.map((t) => decay * t + (1 - decay) * (t + 1));
      expectArraysClose(teacher.model().getWeights().get('classifier.weight')!.dataSync(), expected, 1e-5);
      expect(teacher.model()).not.toBe(student);
      teacher.dispose();
      student.dispose();
    });
  });
});

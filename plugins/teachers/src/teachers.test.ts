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
      const vars = [...student.trainableVariables().values()];
      const studentOnly = tf.variableGrads(() => student.forward(x, { training: false }).logits.sum() as tf.Scalar, vars);
      // adding the teacher's prediction to the loss must not change any gradient
      const withTeacher = tf.variableGrads(
        () => student.forward(x, { training: false }).logits.sum().add(teacher.predict(x).logits.sum()) as tf.Scalar, vars);
      for (const v of vars) expect(Array.from(withTeacher.grads[v.name].dataSync())).toEqual(Array.from(studentOnly.grads[v.name].dataSync()));
      tf.dispose([x, studentOnly.value, withTeacher.value, ...Object.values(studentOnly.grads), ...Object.values(withTeacher.grads)]);
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

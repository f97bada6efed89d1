import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { TeacherStudentMethod, componentFromBase, teacherStudentOptions, unsupervisedCrossEntropy, type SegmentationModel, type UnlabelledStep } from '@ssseg/core';
import { pixelConsistency } from '@ssseg/losses';

const options = teacherStudentOptions({ teacher: { type: 'ema', decay: 0.999 } }).extend({
  /** 'ce': cross-entropy to confident hard pseudo-labels; 'mse': squared error between probabilities. */
  consistency: z.enum(['ce', 'mse']).default('ce'),
  /** Evaluate the EMA teacher (the usual Mean Teacher report) or the student. */
  evaluate: z.enum(['teacher', 'student']).default('teacher'),
});

/**
 * Mean Teacher: an EMA of the student predicts on the weak view; the student matches it on a
 * strong view. Only the student gets gradients; the teacher follows after each step.
 * Loss (Lx + Lu) / 2, plus any regularizers.
 */
@componentFromBase()
export class MeanTeacher extends TeacherStudentMethod<typeof options> {
  static readonly type = 'mean-teacher';
  static options = options;
  static summary = 'EMA teacher, consistency on a strong view';
  readonly strongViews = 1;

  override evalModel(): SegmentationModel {
    return this.options.evaluate === 'teacher' ? this.teacher.model() : this.student;
  }

  protected unlabelledTerms({ views }: UnlabelledStep): Record<string, tf.Scalar> {
    const [view] = views.targets;
    const unsup = this.options.consistency === 'ce'
      ? unsupervisedCrossEntropy(view.studentLogits, view.pseudoLabels.labels, view.pseudoLabels.mask, view.ignore)
      : pixelConsistency(tf.softmax(view.studentLogits) as tf.Tensor4D, view.pseudoLabels.probs, view.ignore);
    return { unsup };
  }

  protected combine(sup: tf.Scalar, { unsup }: Record<string, tf.Scalar>): tf.Scalar {
    return sup.add(unsup).div(2);
  }

  protected strongViewLoss({ unsup }: Record<string, tf.Scalar>): tf.Scalar {
    return unsup.div(2);
  }
}

import { tf } from '@ssseg/engine';
import { TeacherStudentMethod, componentFromBase, teacherStudentOptions, unsupervisedCrossEntropy, type UnlabelledStep } from '@ssseg/core';

const options = teacherStudentOptions();

/**
 * FixMatch for segmentation (as in UniMatch's baseline): the student's own no-gradient
 * prediction on the weak view gives hard pseudo-labels where it is confident; the student
 * learns them on one strong (CutMix) view. Loss (Lx + Lu) / 2, plus any regularizers.
 */
@componentFromBase()
export class FixMatch extends TeacherStudentMethod<typeof options> {
  static readonly type = 'fixmatch';
  static options = options;
  static summary = 'weak-to-strong pseudo-labels with a confidence threshold';
  readonly strongViews = 1;

  protected unlabelledTerms({ views }: UnlabelledStep): Record<string, tf.Scalar> {
    const [view] = views.targets;
    return { unsup: unsupervisedCrossEntropy(view.studentLogits, view.pseudoLabels.labels, view.pseudoLabels.mask, view.ignore) };
  }

  protected combine(sup: tf.Scalar, { unsup }: Record<string, tf.Scalar>): tf.Scalar {
    return sup.add(unsup).div(2);
  }

  protected strongViewLoss({ unsup }: Record<string, tf.Scalar>): tf.Scalar {
    return unsup.div(2);
  }
}

import { tf } from '@ssseg/engine';
import { TeacherStudentMethod, componentFromBase, teacherStudentOptions, resizeLogits, unsupervisedCrossEntropy, type UnlabelledStep } from '@ssseg/core';

const options = teacherStudentOptions();

/**
 * UniMatch (Yang et al., CVPR 2023): two independently drawn strong views learn the weak
 * view's pseudo-labels (Ls1, Ls2), and a feature-perturbed prediction of the weak view learns
 * them too (Lfp). Loss (Lx + 0.25 Ls1 + 0.25 Ls2 + 0.5 Lfp) / 2, plus any regularizers.
 */
@componentFromBase()
export class UniMatch extends TeacherStudentMethod<typeof options> {
  static readonly type = 'unimatch';
  static options = options;
  static summary = 'dual strong views + feature perturbation';
  readonly strongViews = 2;

  protected unlabelledTerms({ batch, views, inputSize, context }: UnlabelledStep): Record<string, tf.Scalar> {
    const [s1, s2] = views.targets.map((v) =>
      unsupervisedCrossEntropy(v.studentLogits, v.pseudoLabels.labels, v.pseudoLabels.mask, v.ignore));
    const perturbed = this.student.forward(batch.weak, { training: true, perturbFeatures: true, rng: context.rng }).perturbedLogits;
    if (!perturbed) throw new Error(`unimatch needs a model with feature perturbation; '${this.student.type}' returned none`);
    const weak = views.weakPseudoLabels;
    const fp = unsupervisedCrossEntropy(resizeLogits(perturbed, inputSize), weak.labels, weak.mask, batch.ignore);
    return { s1, s2, fp };
  }

  protected combine(sup: tf.Scalar, { s1, s2, fp }: Record<string, tf.Scalar>): tf.Scalar {
    return tf.addN([sup, s1.mul(0.25), s2.mul(0.25), fp.mul(0.5)]).div(2) as tf.Scalar;
  }

  protected strongViewLoss({ s1, s2 }: Record<string, tf.Scalar>): tf.Scalar {
    return s1.mul(0.25).add(s2.mul(0.25)).div(2) as tf.Scalar;
  }
}

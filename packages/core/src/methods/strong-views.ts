import { tf } from '@ssseg/engine';
import type { PseudoLabeler, PseudoLabels, Regularizer, SegmentationModel, StepContext, StrongViewContext, UnlabelledBatch, UnsupervisedContext } from '../tokens';
import { mixWithPartner } from './mix-with-partner';
import { resizeLogits, resizeMask } from '../ops/resize';

/** One strong view at the input resolution, for the unsupervised cross-entropy. */
export interface StrongViewTargets {
  /** Student logits upsampled to the input size, [B, H, W, C]. */
  studentLogits: tf.Tensor4D;
  /** The student's decoder features on this view (`ForwardResult.features`), when the model gives them. */
  studentFeatures?: tf.Tensor4D;
  /** Pseudo-labels from the CutMix-aligned teacher prediction, at the input size. */
  pseudoLabels: PseudoLabels;
  /** [B, H, W], 1 = ignored pixel. */
  ignore: tf.Tensor3D;
}

export interface StrongViews {
  /** For the method's own loss, at the input resolution. */
  targets: StrongViewTargets[];
  /** For regularizers, at the network's output resolution. */
  contexts: StrongViewContext[];
  /** Teacher pseudo-labels on the weak view (no CutMix), at the input resolution. */
  weakPseudoLabels: PseudoLabels;
}

/**
 * The teacher-student plumbing shared by FixMatch-style methods: mixes each strong view with
 * its CutMix partner, runs the student on it, and aligns the teacher's weak-view prediction,
 * the pseudo-labels and the ignore mask with the mixed view, at both resolutions.
 * `weakTeacherLogits` must carry no gradient.
 */
export function strongViews(
  student: SegmentationModel,
  pseudoLabeler: PseudoLabeler,
  batch: UnlabelledBatch,
  weakTeacherLogits: tf.Tensor4D,
  views = batch.strong.length,
): StrongViews {
  const [, H, W] = batch.weak.shape;
  const [, h, w] = weakTeacherLogits.shape;
  const teacherFull = resizeLogits(weakTeacherLogits, [H, W]);
  const ignoreOut = resizeMask(batch.ignore, [h, w]);
  const targets: StrongViewTargets[] = [];
  const contexts: StrongViewContext[] = [];
  for (let v = 0; v < views; v++) {
    const box = batch.cutmixBoxes[v];
    const boxOut = resizeMask(box, [h, w]);
    const image = mixWithPartner(batch.strong[v], box);
    const { logits: studentOut, features: studentFeatures } = student.forward(image, { training: true });
    targets.push({
      studentLogits: resizeLogits(studentOut, [H, W]),
      studentFeatures,
      pseudoLabels: pseudoLabeler.label(mixWithPartner(teacherFull, box)),
      ignore: mixWithPartner(batch.ignore, box),
    });
    const teacherOut = mixWithPartner(weakTeacherLogits, boxOut);
    contexts.push({
      studentLogits: studentOut,
      studentFeatures,
      teacherLogits: teacherOut,
      pseudoLabels: pseudoLabeler.label(teacherOut),
      ignoreMask: mixWithPartner(ignoreOut, boxOut),
    });
  }
  return { targets, contexts, weakPseudoLabels: pseudoLabeler.label(teacherFull) };
}

/** Share of non-ignored pixels whose pseudo-label is kept, over the given views. */
export function confidentShare(targets: StrongViewTargets[]): tf.Scalar {
  return tf.tidy(() => {
    const valid = targets.map((t) => tf.sub(1, t.ignore));
    const kept = targets.map((t, i) => t.pseudoLabels.mask.mul(valid[i]).sum());
    return tf.addN(kept).div(tf.addN(valid.map((v) => v.sum())).maximum(1)) as tf.Scalar;
  });
}

/**
 * Sums the regularizers' terms (each already weighted) on the strong views. Returns the total
 * and each term by the regularizer's name. `unsupervisedLoss`: the method's own loss on the strong
 * views as it enters the total (see UnsupervisedContext).
 */
export function applyRegularizers(
  regularizers: readonly Regularizer[],
  contexts: StrongViewContext[],
  weakTeacherLogits: tf.Tensor4D,
  inputSize: [number, number],
  step: StepContext,
  unsupervisedLoss?: tf.Scalar,
): { total: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const terms: Record<string, tf.Scalar> = {};
  if (!regularizers.length) return { total: tf.scalar(0), terms };
  const context: UnsupervisedContext = {
    views: contexts,
    weakTeacherLogits,
    inputSize,
    numClasses: weakTeacherLogits.shape[3],
    step: step.step,
    totalSteps: step.totalSteps,
    rng: step.rng,
    log: (name, value) => step.log(name, value),
    unsupervisedLoss,
  };
  for (const r of regularizers) {
    if (terms[r.name]) throw new Error(`two regularizers are named '${r.name}': give one a different name`);
    terms[r.name] = r.loss(context);
  }
  return { total: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}

import { tf } from '@ssseg/engine';
import {
  mixWithPartner, noGradient, resizeLogits, resizeMask, stopGradient,
  type LabelledBatch, type SegmentationModel, type UnlabelledBatch,
} from '@ssseg/core';

/** What one of the two networks predicts in a CPS step. */
export interface NetworkPrediction {
  /** On the labelled images, output resolution, differentiable: its supervised term. */
  labelled: tf.Tensor4D;
  /** On the pixels of the CPS term, input resolution, differentiable: where it learns the other network's labels. */
  cpsLogits: tf.Tensor4D;
  /** Its hard pseudo-labels (argmax, no threshold) on the same pixels, no gradient: the other network's targets. */
  cpsLabels: tf.Tensor3D;
  /** For regularizers, on the unlabelled images at the output resolution: as a student, differentiable ... */
  studentLogits: tf.Tensor4D;
  /** ... and as the other network's teacher, aligned with `studentLogits`, no gradient. */
  teacherLogits: tf.Tensor4D;
  /** On the unlabelled images as loaded (no CutMix), output resolution, no gradient. */
  weakLogits: tf.Tensor4D;
}

/** Both networks' predictions for one step, with the pixels each term leaves out. */
export interface CpsPredictions {
  first: NetworkPrediction;
  second: NetworkPrediction;
  /** [N, H, W], 1 = pixel left out of the CPS term (padding of an unlabelled crop). */
  cpsIgnore: tf.Tensor3D;
  /** [B, h, w], 1 = ignored pixel of the unlabelled images, aligned with `studentLogits`. */
  regularizerIgnore: tf.Tensor3D;
}

export type Networks = readonly [SegmentationModel, SegmentationModel];

/** Argmax labels carrying no gradient. */
function hardLabels(logits: tf.Tensor4D): tf.Tensor3D {
  return noGradient(() => logits.argMax(-1) as tf.Tensor3D);
}

/** A training-mode forward (batch statistics, as the official code predicts its pseudo-labels) with the tape off. */
function predictWithoutGradient(net: SegmentationModel, x: tf.Tensor4D): tf.Tensor4D {
  return noGradient(() => tf.tidy(() => net.forward(x, { training: true }).logits));
}

/**
 * CPS as the paper writes it (and the official code's VOC experiment): the CPS term covers the
 * labelled and the unlabelled images together, each network's labels from the same forward pass
 * that learns the other's. Labelled pixels all count (the official targets are argmaxes, never
 * its ignore index); unlabelled padding does not.
 */
export function plainPredictions(networks: Networks, labelled: LabelledBatch, u: UnlabelledBatch): CpsPredictions {
  const [B, H, W] = u.weak.shape;
  const [Bl, Hl, Wl] = labelled.masks.shape;
  if (Hl !== H || Wl !== W) {
    throw new Error(`cps: the CPS term covers labelled and unlabelled images together, so their crops must be the same size; got ${Hl}x${Wl} and ${H}x${W}`);
  }
  const [first, second] = networks.map((net): NetworkPrediction => {
    const labelledOut = net.forward(labelled.images, { training: true }).logits;
    const unlabelledOut = net.forward(u.weak, { training: true }).logits;
    const cpsLogits = tf.concat([resizeLogits(labelledOut, [H, W]), resizeLogits(unlabelledOut, [H, W])]) as tf.Tensor4D;
    const constant = stopGradient(unlabelledOut);
    return { labelled: labelledOut, cpsLogits, cpsLabels: hardLabels(cpsLogits), studentLogits: unlabelledOut, teacherLogits: constant, weakLogits: constant };
  });
  const [, h, w] = first.studentLogits.shape;
  return {
    first,
    second,
    cpsIgnore: tf.concat([tf.zeros([Bl, H, W]), u.ignore]) as tf.Tensor3D,
    regularizerIgnore: resizeMask(u.ignore, [h, w]),
  };
}

/**
 * CPS with CutMix (the official code's VOC CPS+CutMix experiment): each network predicts the unlabelled
 * images without gradient; both learn on the images mixed with their CutMix partners inside the
 * batch's first box, each from the other's prediction mixed the same way. The CPS term covers the
 * mixed unlabelled images only.
 */
export function cutmixPredictions(networks: Networks, labelled: LabelledBatch, u: UnlabelledBatch): CpsPredictions {
  const [, H, W] = u.weak.shape;
  const box = u.cutmixBoxes[0];
  if (!box) throw new Error('cps: cutmix needs the CutMix box of one strong view in the unlabelled batch, and the batch has none');
  const mixed = mixWithPartner(u.weak, box);
  const weak = networks.map((net) => predictWithoutGradient(net, u.weak));
  const [, h, w] = weak[0].shape;
  const boxOut = resizeMask(box, [h, w]);
  const [first, second] = networks.map((net, i): NetworkPrediction => {
    const unlabelledOut = net.forward(mixed, { training: true }).logits;
    return {
      labelled: net.forward(labelled.images, { training: true }).logits,
      cpsLogits: resizeLogits(unlabelledOut, [H, W]),
      cpsLabels: hardLabels(mixWithPartner(resizeLogits(weak[i], [H, W]), box)),
      studentLogits: unlabelledOut,
      teacherLogits: mixWithPartner(weak[i], boxOut),
      weakLogits: weak[i],
    };
  });
  return {
    first,
    second,
    cpsIgnore: mixWithPartner(u.ignore, box),
    regularizerIgnore: mixWithPartner(resizeMask(u.ignore, [h, w]), boxOut),
  };
}

import { tf } from '@ssseg/engine';
import { resizeLogits } from './resize';
import { IGNORE_INDEX } from '../metrics/miou';

function checkPair(where: string, logits: tf.Tensor, labels: tf.Tensor): void {
  if (logits.rank !== 4) throw new Error(`${where}: logits must be [B, h, w, C], got shape [${logits.shape}]`);
  if (labels.rank !== 3 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(`${where}: labels must be [B, H, W] with B = ${logits.shape[0]}, got shape [${labels.shape}]`);
  }
}

function checkMap(where: string, name: string, map: tf.Tensor | undefined, labels: tf.Tensor): void {
  if (map && !tf.util.arraysEqual(map.shape, labels.shape)) {
    throw new Error(`${where}: ${name} must have the labels' shape [${labels.shape}], got [${map.shape}]`);
  }
}

/** Per-pixel -log p(label), [B, H, W]; logits upsampled to the labels' size first. Ignored pixels give 0. */
function pixelCrossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D): { ce: tf.Tensor3D; valid: tf.Tensor3D } {
  const [, H, W] = labels.shape;
  const C = logits.shape[3];
  const full = resizeLogits(logits, [H, W]);
  const logProbs = tf.logSoftmax(full);
  const intLabels = labels.toInt();
  const valid = tf.notEqual(intLabels, IGNORE_INDEX);
  const safeLabels = tf.where(valid, intLabels, tf.zerosLike(intLabels));
  // oneHot gives an all-zero row for a label outside [0, C): such pixels count as valid with zero loss.
  const ce = tf.oneHot(safeLabels as tf.Tensor3D, C).mul(logProbs).sum(-1).neg() as tf.Tensor3D;
  const validF = valid.toFloat() as tf.Tensor3D;
  return { ce: ce.mul(validF), valid: validF };
}

/**
 * Softmax cross-entropy with ignore index 255: the mean over non-ignored pixels of
 * `weight * -log p(label)`. Logits [B, h, w, C] are upsampled bilinearly (alignCorners false) to
 * the label size [B, H, W] when the sizes differ. `weights` ([B, H, W]) scales each pixel's term;
 * the denominator stays the number of non-ignored pixels (as MMSegmentation's weighted CE).
 */
export function crossEntropy(logits: tf.Tensor4D, labels: tf.Tensor3D, weights?: tf.Tensor3D): tf.Scalar {
  checkPair('crossEntropy', logits, labels);
  checkMap('crossEntropy', 'weights', weights, labels);
  return tf.tidy(() => {
    const { ce, valid } = pixelCrossEntropy(logits, labels);
    const weighted = weights ? ce.mul(weights) : ce;
    return weighted.sum().div(valid.sum().maximum(1)) as tf.Scalar;
  });
}

/**
 * The unsupervised CE of FixMatch-style methods, as UniMatch computes it: CE to the hard
 * pseudo-labels, summed over kept pixels (`mask` = 1, not ignored) and divided by the number of
 * non-ignored pixels (`ignore` = 0), so images with few confident pixels weigh less.
 * `mask` may be soft (values in [0, 1]); `ignore` [B, H, W] marks padding and CutMix-ignored area.
 */
export function unsupervisedCrossEntropy(
  logits: tf.Tensor4D,
  pseudoLabels: tf.Tensor3D,
  mask: tf.Tensor3D,
  ignore?: tf.Tensor3D,
): tf.Scalar {
  checkPair('unsupervisedCrossEntropy', logits, pseudoLabels);
  checkMap('unsupervisedCrossEntropy', 'mask', mask, pseudoLabels);
  checkMap('unsupervisedCrossEntropy', 'ignore', ignore, pseudoLabels);
  return tf.tidy(() => {
    const { ce } = pixelCrossEntropy(logits, pseudoLabels);
    const kept = ignore ? tf.sub(1, ignore) : tf.onesLike(mask);
    return ce.mul(mask).mul(kept).sum().div(kept.sum().maximum(1)) as tf.Scalar;
  });
}

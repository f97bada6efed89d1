import { tf } from '@ssseg/engine';
import { stopGradient } from '@ssseg/core';

/**
 * CorrMatch's KL term: per pixel KL(softmax(target) || softmax(prediction)) over classes (torch's
 * KLDivLoss on log-probabilities, 0 where the target probability is 0), summed over the pixels of
 * `mask` and divided by the number of non-ignored pixels. Logits [B, H, W, C]; maps [B, H, W].
 * The target carries no gradient.
 */
export function maskedKl(targetLogits: tf.Tensor4D, predictionLogits: tf.Tensor4D, mask: tf.Tensor3D, ignore: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const logTarget = tf.logSoftmax(stopGradient(targetLogits));
    const perPixel = tf.exp(logTarget).mul(logTarget.sub(tf.logSoftmax(predictionLogits))).sum(-1);
    return perPixel.mul(mask).sum().div(tf.sub(1, ignore).sum().maximum(1)) as tf.Scalar;
  });
}

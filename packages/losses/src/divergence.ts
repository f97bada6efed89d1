import { tf } from '@ssseg/engine';
import { stopGradient } from '@ssseg/core';

function pixelMean(where: string, perPixel: tf.Tensor, ignore?: tf.Tensor): tf.Scalar {
  if (!ignore) return perPixel.mean() as tf.Scalar;
  if (!tf.util.arraysEqual(ignore.shape, perPixel.shape)) {
    throw new Error(`${where}: ignore must be [${perPixel.shape}] (the probability maps without the class axis), got [${ignore.shape}]`);
  }
  const valid = tf.sub(1, ignore);
  return perPixel.mul(valid).sum().div(valid.sum().maximum(1)) as tf.Scalar;
}

function checkSame(where: string, a: tf.Tensor, b: tf.Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) throw new Error(`${where}: shapes differ: [${a.shape}] vs [${b.shape}]`);
}

/**
 * KL(target || prediction) between probability maps [..., C]: `Σ_c p (log(p + ε) - log(q + ε))`
 * per pixel, averaged over non-ignored pixels (`ignore` has the maps' shape without the class axis).
 * The target carries no gradient. ε (default 1e-8) keeps zero probabilities finite in float32.
 */
export function klDivergence(target: tf.Tensor, prediction: tf.Tensor, ignore?: tf.Tensor, epsilon = 1e-8): tf.Scalar {
  checkSame('klDivergence', target, prediction);
  return tf.tidy(() => {
    const p = stopGradient(target);
    const perPixel = p.mul(p.add(epsilon).log().sub(prediction.add(epsilon).log())).sum(-1);
    return pixelMean('klDivergence', perPixel, ignore);
  });
}

/**
 * Mean Teacher's consistency: mean squared difference of the softmax probabilities, over classes
 * and non-ignored pixels (as F.mse_loss on probabilities, restricted to valid pixels). The teacher
 * side carries no gradient.
 */
export function pixelConsistency(studentProbs: tf.Tensor, teacherProbs: tf.Tensor, ignore?: tf.Tensor): tf.Scalar {
  checkSame('pixelConsistency', studentProbs, teacherProbs);
  return tf.tidy(() => {
    const C = studentProbs.shape[studentProbs.rank - 1];
    const perPixel = tf.squaredDifference(studentProbs, stopGradient(teacherProbs)).sum(-1).div(C);
    return pixelMean('pixelConsistency', perPixel, ignore);
  });
}

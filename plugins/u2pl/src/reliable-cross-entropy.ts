import { tf } from '@ssseg/engine';
import { IGNORE_INDEX, crossEntropy } from '@ssseg/core';
import { pixelEntropy } from './entropy';
import { percentile } from './percentile';

/**
 * U2PL's loss on the reliable pseudo-labels (the official compute_unsupervised_loss). Over the
 * batch's valid pixels V, those whose teacher entropy reaches the `dropPercent`-th percentile of
 * the entropies in V are unreliable and dropped; the rest, R, learn their pseudo-labels:
 *
 *   L_u = (B H W / |R|) * (1 / |R|) * sum_{i in R} -log p_student(yhat_i | i)
 *
 * `studentLogits` [B, H, W, C] (upsampled to the labels' size when smaller), `pseudoLabels`
 * [B, H, W], `teacherProbs` [B, H, W, C] (no gradient), `valid` [B, H, W] (1 = may be used).
 * With no reliable pixel the term is 0 and still connected to the logits.
 */
export function reliableCrossEntropy(
  studentLogits: tf.Tensor4D,
  pseudoLabels: tf.Tensor3D,
  teacherProbs: tf.Tensor4D,
  valid: tf.Tensor3D,
  dropPercent: number,
): tf.Scalar {
  return tf.tidy(() => {
    const entropy = pixelEntropy(teacherProbs).dataSync() as Float32Array;
    const usable = valid.dataSync();
    const candidates = entropy.filter((_, i) => usable[i] > 0);
    if (!candidates.length) return studentLogits.sum().mul(0) as tf.Scalar;
    const threshold = percentile(candidates, dropPercent);
    const reliable = new Int32Array(entropy.length);
    let kept = 0;
    for (let i = 0; i < entropy.length; i++) if (usable[i] > 0 && entropy[i] < threshold) (reliable[i] = 1), kept++;
    if (!kept) return studentLogits.sum().mul(0) as tf.Scalar;
    const labels = tf.where(tf.tensor(reliable, pseudoLabels.shape, 'int32').cast('bool'), pseudoLabels.toInt(), tf.fill(pseudoLabels.shape, IGNORE_INDEX, 'int32'));
    return crossEntropy(studentLogits, labels as tf.Tensor3D).mul(entropy.length / kept) as tf.Scalar;
  });
}

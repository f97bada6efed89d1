import { tf } from './tf';
import { SOFTMAX_CROSS_ENTROPY } from './native/kernels/softmax';

/**
 * tf.losses.softmaxCrossEntropy(labels, logits) with its defaults (no weights, no label smoothing,
 * the mean over rows of the last axis), as one fused kernel where the backend has it (native: one
 * pass instead of ~10 element-wise kernels forward and 6 backward); tfjs's op elsewhere. Same value
 * and gradients, tfjs's labels gradient (dy * (labels - softmax)) included.
 */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  const fused = tf.getKernel(SOFTMAX_CROSS_ENTROPY, tf.getBackend()) && labels.dtype === 'float32' && logits.dtype === 'float32';
  if (!fused) return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  if (logits.rank === 0 || labels.shape.join() !== logits.shape.join()) {
    throw new Error(`softmaxCrossEntropy: labels and logits need one shape of rank >= 1, got [${labels.shape}] and [${logits.shape}]`);
  }
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [y, x, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [rowLoss, probs] = tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { labels: y, logits: x }) as tf.Tensor[];
    save([y, probs]);
    const rows = rowLoss.size;
    return {
      value: tf.div(tf.sum(rowLoss), tf.scalar(rows)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [savedLabels, savedProbs]: tf.Tensor[]) => {
        const dx = tf.mul(tf.div(dy, tf.scalar(rows)), tf.sub(savedProbs, savedLabels));
        return [tf.neg(dx), dx];
      },
    };
  });
  return loss(labels, logits) as tf.Scalar;
}

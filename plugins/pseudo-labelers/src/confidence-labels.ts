import { tf } from '@ssseg/engine';
import type { PseudoLabels } from '@ssseg/core';

/**
 * The teacher's distribution softmax(logits / temperature), its argmax as the hard label, its
 * maximum as the confidence, and the mask of pixels whose confidence reaches `confThreshold`.
 */
export function confidenceLabels(teacherLogits: tf.Tensor4D, temperature: number, confThreshold: number): PseudoLabels {
  return tf.tidy(() => {
    const probs = tf.softmax(temperature === 1 ? teacherLogits : teacherLogits.div(temperature)) as tf.Tensor4D;
    const confidence = probs.max(-1) as tf.Tensor3D;
    const labels = probs.argMax(-1) as tf.Tensor3D;
    const mask = confidence.greaterEqual(confThreshold).toFloat() as tf.Tensor3D;
    return { probs, labels, confidence, mask };
  });
}

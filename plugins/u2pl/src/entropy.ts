import { tf } from '@ssseg/engine';

/** Per-pixel entropy -sum_c p log(p + 1e-10) of probabilities [..., C], as U2PL computes it. */
export function pixelEntropy(probs: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => probs.mul(probs.add(1e-10).log()).sum(-1).neg() as tf.Tensor3D);
}

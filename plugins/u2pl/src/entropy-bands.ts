import { tf } from '@ssseg/engine';
import { pixelEntropy } from './entropy';
import { percentile } from './percentile';

/**
 * The unlabelled pixels the contrastive term reads (the official low/high entropy masks): among
 * the valid pixels, `reliable` where the teacher's entropy is at most its alpha-th percentile,
 * `unreliable` where it is at least its (100 - alpha)-th. Both [B, H, W] float32 0/1.
 */
export function entropyBands(teacherProbs: tf.Tensor4D, valid: tf.Tensor3D, alpha: number): { reliable: tf.Tensor3D; unreliable: tf.Tensor3D } {
  const entropy = tf.tidy(() => pixelEntropy(teacherProbs));
  const values = entropy.dataSync() as Float32Array;
  const usable = valid.dataSync();
  const candidates = values.filter((_, i) => usable[i] > 0);
  const reliable = new Float32Array(values.length), unreliable = new Float32Array(values.length);
  if (candidates.length) {
    const low = percentile(candidates, alpha), high = percentile(candidates, 100 - alpha);
    for (let i = 0; i < values.length; i++) {
      if (!(usable[i] > 0)) continue;
      if (values[i] <= low) reliable[i] = 1;
      if (values[i] >= high) unreliable[i] = 1;
    }
  }
  const shape = entropy.shape;
  entropy.dispose();
  return { reliable: tf.tensor3d(reliable, shape), unreliable: tf.tensor3d(unreliable, shape) };
}

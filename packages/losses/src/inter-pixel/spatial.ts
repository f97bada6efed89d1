import { tf } from '@ssseg/engine';
import { pearsonDistances } from './affinity-correlation';

/**
 * Spatial relation, for one image: for each class c the distribution over the M kept pixels
 * `S[:, c] = softmax_i(z[i, c] / T)`; teacher and student distributions are compared per class
 * and averaged over classes. Inputs are the temperature-scaled logits [M, C]. O(MC).
 * - kl: `Σ_i St (log St - log Ss)` from log-softmax (exact logs, no epsilon needed);
 * - correlation: Pearson over the M pixels of `M · S` (entries average 1, so `stdFloor` reads as a
 *   relative spread across pixels and means the same at any M).
 * With `classes: 'present'` the mean runs over the classes that are the teacher's argmax on at
 * least one of the M pixels (the others get no gradient).
 */
export function spatialRelation(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  distance: 'kl' | 'correlation',
  stdFloor: number,
  classes: 'all' | 'present' = 'all',
): tf.Scalar {
  return tf.tidy(() => {
    const perClass = spatialDistances(teacherLogits, studentLogits, distance, stdFloor);
    if (classes === 'all') return perClass.mean() as tf.Scalar;
    const present = presentClasses(teacherLogits);
    return perClass.mul(present).sum().div(present.sum()) as tf.Scalar;
  });
}

/** Per class [C], the distance between teacher and student distributions over the M pixels. */
function spatialDistances(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, distance: 'kl' | 'correlation', stdFloor: number): tf.Tensor1D {
  return tf.tidy(() => {
    const M = teacherLogits.shape[0];
    // softmax over pixels: classes first, so the softmax axis is the last one
    const logT = tf.logSoftmax(teacherLogits.transpose());
    const logS = tf.logSoftmax(studentLogits.transpose());
    if (distance === 'kl') return logT.exp().mul(logT.sub(logS)).sum(1) as tf.Tensor1D;
    const t = logT.exp().mul(M);
    const s = logS.exp().mul(M);
    const tc = t.sub(t.mean(1, true));
    const sc = s.sub(s.mean(1, true));
    return pearsonDistances(tc.mul(sc).mean(1), tc.square().mean(1), sc.square().mean(1), stdFloor) as tf.Tensor1D;
  });
}

/** [C] float, 1 for the classes that are the argmax of at least one row of `teacherLogits` [M, C]. */
export function presentClasses(teacherLogits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.oneHot(teacherLogits.argMax(1) as tf.Tensor1D, teacherLogits.shape[1]).max(0).toFloat() as tf.Tensor1D);
}

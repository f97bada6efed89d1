import { tf } from '@ssseg/engine';
import { pearsonLoss } from './affinity-correlation';

/**
 * The per-image term written as docs/IPIXMATCH.md states it, materialising the [M, M] affinity matrices
 * and differentiated by autodiff: the reference the fast paths are tested against, and the
 * "naive" column of benchmark W3. O(M²) memory: use on small M only.
 */
export function naiveRelation(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  relation: 'affinity' | 'spatial',
  distance: 'kl' | 'correlation',
  epsilon: number,
  stdFloor: number,
): tf.Scalar {
  return tf.tidy(() => {
    const M = teacherLogits.shape[0];
    if (relation === 'spatial') {
      const St = tf.softmax(teacherLogits.transpose());
      const Ss = tf.softmax(studentLogits.transpose());
      if (distance === 'kl') return St.mul(St.log().sub(Ss.log())).sum(1).mean() as tf.Scalar;
      return rowPearson(St.mul(M) as tf.Tensor2D, Ss.mul(M) as tf.Tensor2D, stdFloor);
    }
    const Pt = tf.softmax(teacherLogits) as tf.Tensor2D;
    const Ps = tf.softmax(studentLogits) as tf.Tensor2D;
    const At = Pt.matMul(Pt, false, true) as tf.Tensor2D;
    const As = Ps.matMul(Ps, false, true) as tf.Tensor2D;
    if (distance === 'correlation') return rowPearson(At, As, stdFloor);
    const Rt = At.div(At.sum(1, true));
    const Rs = As.div(As.sum(1, true));
    return Rt.mul(Rt.add(epsilon).log().sub(Rs.add(epsilon).log())).sum().div(M) as tf.Scalar;
  });
}

/** mean over rows of 1 - pearson(a[i,:], b[i,:]), population moments, floored std. */
function rowPearson(a: tf.Tensor2D, b: tf.Tensor2D, stdFloor: number): tf.Scalar {
  const ac = a.sub(a.mean(1, true));
  const bc = b.sub(b.mean(1, true));
  return pearsonLoss(ac.mul(bc).mean(1), ac.square().mean(1), bc.square().mean(1), stdFloor);
}

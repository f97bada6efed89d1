import { tf } from '@ssseg/engine';
import { pearsonDistances } from './affinity-correlation';

export interface NaiveRelationOptions {
  relation: 'affinity' | 'spatial';
  distance: 'kl' | 'correlation';
  epsilon: number;
  stdFloor: number;
  classes: 'all' | 'present';
}

/**
 * One group's term as docs/IPIXMATCH.md states it, materialising the [Mr, Mc] affinity matrices and
 * differentiated by autodiff: the reference the fast paths are tested against, and the "naive"
 * column of benchmark W3. Rows relate to the columns (`teacherColumns`, `studentColumns`, by
 * default the rows themselves); spatial uses the rows only. O(Mr Mc) memory: use on small M only.
 */
export function naiveRelation(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  o: NaiveRelationOptions,
  teacherColumns: tf.Tensor2D = teacherLogits,
  studentColumns: tf.Tensor2D = studentLogits,
): tf.Scalar {
  return tf.tidy(() => {
    if (o.relation === 'spatial') {
      const M = teacherLogits.shape[0];
      const St = tf.softmax(teacherLogits.transpose());
      const Ss = tf.softmax(studentLogits.transpose());
      const perClass =
        o.distance === 'kl' ? St.mul(St.log().sub(Ss.log())).sum(1) : rowPearsonDistances(St.mul(M) as tf.Tensor2D, Ss.mul(M) as tf.Tensor2D, o.stdFloor);
      if (o.classes === 'all') return perClass.mean() as tf.Scalar;
      // present: the classes some pixel's teacher argmax names, found by comparing with the row max
      const isMax = teacherLogits.equal(teacherLogits.max(1, true)).toFloat();
      const present = isMax.max(0);
      return perClass.mul(present).sum().div(present.sum()) as tf.Scalar;
    }
    const Mr = teacherLogits.shape[0];
    const At = tf.softmax(teacherLogits).matMul(tf.softmax(teacherColumns), false, true) as tf.Tensor2D;
    const As = tf.softmax(studentLogits).matMul(tf.softmax(studentColumns), false, true) as tf.Tensor2D;
    if (o.distance === 'correlation') return rowPearsonDistances(At, As, o.stdFloor).mean() as tf.Scalar;
    const Rt = At.div(At.sum(1, true));
    const Rs = As.div(As.sum(1, true));
    return Rt.mul(Rt.add(o.epsilon).log().sub(Rs.add(o.epsilon).log())).sum().div(Mr) as tf.Scalar;
  });
}

/** Per row, 1 - pearson(a[i,:], b[i,:]), population moments, floored std. */
function rowPearsonDistances(a: tf.Tensor2D, b: tf.Tensor2D, stdFloor: number): tf.Tensor {
  const ac = a.sub(a.mean(1, true));
  const bc = b.sub(b.mean(1, true));
  return pearsonDistances(ac.mul(bc).mean(1), ac.square().mean(1), bc.square().mean(1), stdFloor);
}

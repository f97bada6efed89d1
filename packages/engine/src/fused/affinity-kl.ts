import { tf } from '../tf';
import { fusedAvailable } from './fused-available';
import { AFFINITY_KL } from './kernel-names';

/**
 * IPixMatch's affinity-KL term for one image, `(1/M) Σ_i Σ_j Rt[i,j] log((Rt[i,j] + ε) / (Rs[i,j] + ε))`
 * with `R = P Pᵀ / rowsum(P Pᵀ)`, as one fused kernel that returns the value and the student's
 * gradient together (both need the same rows of Rt and Rs; no [M, M] tensor exists on the tfjs
 * side). The teacher gets a zero gradient. Undefined where the backend lacks the kernel: the caller
 * then takes its chunked tfjs form.
 */
export function fusedAffinityKl(teacherProbs: tf.Tensor2D, studentProbs: tf.Tensor2D, epsilon: number): tf.Scalar | undefined {
  if (!fusedAvailable(AFFINITY_KL, [teacherProbs, studentProbs])) return undefined;
  if (teacherProbs.rank !== 2 || teacherProbs.shape.join() !== studentProbs.shape.join()) {
    throw new Error(`fusedAffinityKl: expected teacher and student probabilities of one [M, C] shape, got [${teacherProbs.shape}] and [${studentProbs.shape}]`);
  }
  const op = tf.customGrad(((student: tf.Tensor2D, teacher: tf.Tensor2D, save: tf.GradSaveFunc) => {
    const [value, grad] = tf.engine().runKernel(AFFINITY_KL, { teacher, student }, { epsilon }) as tf.Tensor[];
    save([grad]);
    return {
      value: value as tf.Scalar,
      gradFunc: (dy: tf.Scalar, [savedGrad]: tf.Tensor[]) => [tf.mul(savedGrad, dy), tf.zerosLike(teacher)],
    };
  }) as never) as (student: tf.Tensor2D, teacher: tf.Tensor2D) => tf.Scalar;
  return op(studentProbs, teacherProbs);
}

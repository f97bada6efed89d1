import { tf } from '@ssseg/engine';

/**
 * Affinity relation with the correlation distance, for one image, exactly and without any [M, M]:
 * `L = (1/M) Σ_i (1 - pearson(At[i,:], As[i,:]))` with `A = P Pᵀ`.
 *
 * Centring the columns (P̃ = P - mean_j P[j]) centres every row of A at once, since
 * `At[i,j] - mean_j At[i,j] = Pt[i] · P̃t[j]`. So the row moments are quadratic forms in C x C Grams:
 *   Σ_j (At[i,j] - μ)(As[i,j] - ν) = Pt[i]ᵀ (P̃tᵀ P̃s) Ps[i],   Σ_j (At[i,j] - μ)² = Pt[i]ᵀ (P̃tᵀ P̃t) Pt[i],
 * O(MC²) time and O(MC + C²) memory, differentiated by autodiff. Centring first avoids the
 * cancellation of `E[a²] - E[a]²` on nearly constant rows.
 *
 * Standard deviations (population, 1/M) are floored: `std = sqrt(max(var, stdFloor²))`. A nearly
 * constant row (an image of one class) has std near 0 and the Pearson gradient grows as 1/std;
 * below the floor the row's Pearson shrinks towards 0, its gradient stays bounded by ~1/stdFloor,
 * and the floor's own gradient is zero.
 *
 * With `teacherColumns`/`studentColumns` ([Mc, C]) the rows relate to a different pixel set: row i's
 * Pearson runs over the columns (centred and averaged over Mc), and the loss averages over the rows.
 */
export function affinityCorrelation(
  teacherProbs: tf.Tensor2D,
  studentProbs: tf.Tensor2D,
  stdFloor: number,
  teacherColumns: tf.Tensor2D = teacherProbs,
  studentColumns: tf.Tensor2D = studentProbs,
): tf.Scalar {
  return tf.tidy(() => {
    const M = teacherColumns.shape[0];
    const pc = teacherColumns.sub(teacherColumns.mean(0));
    const qc = studentColumns.sub(studentColumns.mean(0));
    const quadratic = (x: tf.Tensor2D, gram: tf.Tensor, y: tf.Tensor2D) => x.matMul(gram as tf.Tensor2D).mul(y).sum(1).div(M);
    // Grams as Xᵀ Y with Xᵀ materialised: wasm's matMul is much slower with a transposed operand
    const pcT = pc.transpose();
    const varT = quadratic(teacherProbs, pcT.matMul(pc), teacherProbs);
    const varS = quadratic(studentProbs, qc.transpose().matMul(qc), studentProbs);
    const cov = quadratic(teacherProbs, pcT.matMul(qc), studentProbs);
    return pearsonLoss(cov, varT, varS, stdFloor);
  });
}

/** mean(1 - cov / (std_t std_s)) with floored standard deviations. */
export function pearsonLoss(cov: tf.Tensor, varT: tf.Tensor, varS: tf.Tensor, stdFloor: number): tf.Scalar {
  return pearsonDistances(cov, varT, varS, stdFloor).mean() as tf.Scalar;
}

/** 1 - cov / (std_t std_s) entry by entry, with floored standard deviations. */
export function pearsonDistances(cov: tf.Tensor, varT: tf.Tensor, varS: tf.Tensor, stdFloor: number): tf.Tensor {
  const floor2 = stdFloor * stdFloor;
  const stdT = varT.maximum(floor2).sqrt();
  const stdS = varS.maximum(floor2).sqrt();
  return tf.sub(1, cov.div(stdT.mul(stdS)));
}

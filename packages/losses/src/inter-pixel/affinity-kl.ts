import { fusedAffinityKl, tf } from '@ssseg/engine';

/**
 * Affinity relation with the KL distance, for one image, in row chunks:
 * `A = P Pᵀ`, `R = A / rowsum(A)`, `L = (1/M) Σ_i Σ_j Rt[i,j] (log(Rt[i,j] + ε) - log(Rs[i,j] + ε))`.
 *
 * `teacherProbs` (Pt) and `studentProbs` (Ps) are [M, C]. Row sums come in O(MC) as
 * `P · Σ_j P[j]`; at most `chunkRows` rows of the [M, M] matrices exist at any time. The gradient
 * is written by hand and recomputes each chunk, so backpropagation holds O(chunk x M + MC) too
 * (autodiff would keep every chunk's intermediates on the tape until the backward pass).
 * The teacher side gets a zero gradient. Where the backend has the engine's fused kernel (native),
 * that computes the same value and gradient in one call, and this chunked form is not used.
 */
export function affinityKl(teacherProbs: tf.Tensor2D, studentProbs: tf.Tensor2D, chunkRows: number, epsilon: number): tf.Scalar {
  return fusedAffinityKl(teacherProbs, studentProbs, epsilon) ?? affinityKlOp(chunkRows, epsilon)(studentProbs, teacherProbs);
}

function affinityKlOp(chunkRows: number, epsilon: number): (q: tf.Tensor2D, p: tf.Tensor2D) => tf.Scalar {
  return tf.customGrad(((q: tf.Tensor2D, p: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    save([q, p]);
    return {
      value: forward(p, q, chunkRows, epsilon),
      gradFunc: (dy: tf.Scalar, [savedQ, savedP]: tf.Tensor2D[]) => [
        backward(savedP, savedQ, chunkRows, epsilon).mul(dy),
        tf.zerosLike(savedP),
      ],
    };
  }) as never) as never;
}

/** [M, 1] row sums of P Pᵀ without forming it. */
function rowSums(p: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => p.matMul(p.sum(0).expandDims(1) as tf.Tensor2D)) as tf.Tensor2D;
}

/**
 * Rows [start, start + rows) of the row-normalised affinity `P Pᵀ / rowsum`, computed as
 * `(P[rows] / rowsum[rows]) Pᵀ` so the division touches [rows, C], not [rows, M]; `pT` is Pᵀ
 * transposed once (wasm's matMul is several times slower with a transposed operand). The chunk
 * loops below free each [rows, M] intermediate as soon as it is used: about three live at once.
 */
function normalisedRows(p: tf.Tensor2D, pT: tf.Tensor2D, rowSum: tf.Tensor2D, start: number, rows: number): tf.Tensor2D {
  return tf.tidy(() => p.slice([start, 0], [rows, p.shape[1]]).div(rowSum.slice([start, 0], [rows, 1])).matMul(pT) as tf.Tensor2D);
}

/** Applies `f` and frees its inputs at once (a tidy would hold them to the end of the chunk). */
function consume<T extends tf.Tensor>(inputs: tf.Tensor[], f: () => T): T {
  const out = f();
  tf.dispose(inputs);
  return out;
}

function forward(p: tf.Tensor2D, q: tf.Tensor2D, chunkRows: number, epsilon: number): tf.Scalar {
  const M = p.shape[0];
  const rt = rowSums(p);
  const rs = rowSums(q);
  const pT = p.transpose() as tf.Tensor2D;
  const qT = q.transpose() as tf.Tensor2D;
  let total: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < M; start += chunkRows) {
    const rows = Math.min(chunkRows, M - start);
    const Rt = normalisedRows(p, pT, rt, start, rows);
    const Rs = normalisedRows(q, qT, rs, start, rows);
    // Rt (log(Rt + ε) - log(Rs + ε)) as Rt log((Rt + ε) / (Rs + ε)): one log per entry
    const num = Rt.add(epsilon);
    const den = consume([Rs], () => Rs.add(epsilon));
    const ratio = consume([num, den], () => num.div(den));
    const logRatio = consume([ratio], () => ratio.log());
    const terms = consume([logRatio, Rt], () => Rt.mul(logRatio));
    const next = consume([terms, total], () => total.add(terms.sum()) as tf.Scalar);
    total = next;
  }
  const value = total.div(M) as tf.Scalar;
  tf.dispose([rt, rs, pT, qT, total]);
  return value;
}

/**
 * dL/dPs. With G = Rt / (Rs + ε) (so dL/dRs = -G / M) and s_i = 1 / (M rs_i):
 *   dL/dAs[i,j] = -s_i G[i,j],
 *   dL/drs_i = s_i Σ_j G[i,j] Rs[i,j] = s_i (1 - ε Σ_j G[i,j])   (Rs/(Rs+ε) = 1 - ε/(Rs+ε), Σ_j Rt[i,j] = 1),
 *   dPs = (dAs + dAsᵀ) Ps + drs ⊗ q̄ + 1 ⊗ (Psᵀ drs),   q̄ = Σ_j Ps[j]  (since rs_i = Ps[i] · q̄).
 * The row factor s_i is applied to [rows, C] operands, so the only [rows, M] passes are the two
 * affinities, Rs + ε, G and G's row sums.
 */
function backward(p: tf.Tensor2D, q: tf.Tensor2D, chunkRows: number, epsilon: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [M, C] = q.shape;
    const rt = rowSums(p);
    const qBar = q.sum(0).expandDims(0) as tf.Tensor2D;
    const rs = rowSums(q);
    const pT = p.transpose() as tf.Tensor2D;
    const qT = q.transpose() as tf.Tensor2D;
    const rowParts: tf.Tensor2D[] = [];
    const drsParts: tf.Tensor2D[] = [];
    // (dAsᵀ Ps)ᵀ = Psᵀ dAs, accumulated as [C, M] so no matMul needs a transposed operand
    let columnPartT: tf.Tensor2D = tf.zeros([C, M]);
    for (let start = 0; start < M; start += chunkRows) {
      const rows = Math.min(chunkRows, M - start);
      const negScale = tf.tidy(() => rs.slice([start, 0], [rows, 1]).mul(-M).reciprocal()) as tf.Tensor2D; // -s_i
      const Rt = normalisedRows(p, pT, rt, start, rows);
      const Rs = normalisedRows(q, qT, rs, start, rows);
      const den = consume([Rs], () => Rs.add(epsilon));
      const G = consume([Rt, den], () => Rt.div(den)) as tf.Tensor2D;
      drsParts.push(tf.tidy(() => G.sum(1, true).mul(-epsilon).add(1).mul(negScale).neg()) as tf.Tensor2D);
      rowParts.push(tf.tidy(() => G.matMul(q).mul(negScale)) as tf.Tensor2D);
      const scaledQT = tf.tidy(() => qT.slice([0, start], [C, rows]).mul(negScale.reshape([1, rows])));
      columnPartT = consume([G, scaledQT, columnPartT, negScale], () => tf.tidy(() => columnPartT.add(scaledQT.matMul(G))) as tf.Tensor2D);
    }
    const drs = tf.concat(drsParts, 0);
    return columnPartT
      .transpose()
      .add(tf.concat(rowParts, 0))
      .add(drs.mul(qBar))
      .add(q.mul(drs).sum(0, true)) as tf.Tensor2D;
  });
}

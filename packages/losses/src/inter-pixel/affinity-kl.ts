import { tf } from '@ssseg/engine';

/**
 * Affinity relation with the KL distance, for one image, in row chunks:
 * `A = P Pᵀ`, `R = A / rowsum(A)`, `L = (1/M) Σ_i Σ_j Rt[i,j] (log(Rt[i,j] + ε) - log(Rs[i,j] + ε))`.
 *
 * `teacherProbs` (Pt) and `studentProbs` (Ps) are [M, C]. Row sums come in O(MC) as
 * `P · Σ_j P[j]`; at most `chunkRows` rows of the [M, M] matrices exist at any time. The gradient
 * is written by hand and recomputes each chunk, so backpropagation holds O(chunk x M + MC) too
 * (autodiff would keep every chunk's intermediates on the tape until the backward pass).
 * The teacher side gets a zero gradient.
 */
export function affinityKl(teacherProbs: tf.Tensor2D, studentProbs: tf.Tensor2D, chunkRows: number, epsilon: number): tf.Scalar {
  return affinityKlOp(chunkRows, epsilon)(studentProbs, teacherProbs);
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
 * Rows [start, start + rows) of the row-normalised affinity `P Pᵀ / rowsum`. The chunk loops
 * below free each [rows, M] intermediate as soon as it is used, so about three live at once.
 */
function normalisedRows(p: tf.Tensor2D, rowSum: tf.Tensor2D, start: number, rows: number): tf.Tensor2D {
  return tf.tidy(() => {
    const a = p.slice([start, 0], [rows, p.shape[1]]).matMul(p, false, true);
    return a.div(rowSum.slice([start, 0], [rows, 1])) as tf.Tensor2D;
  });
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
  let total: tf.Scalar = tf.scalar(0);
  for (let start = 0; start < M; start += chunkRows) {
    const rows = Math.min(chunkRows, M - start);
    const Rt = normalisedRows(p, rt, start, rows);
    const Rs = normalisedRows(q, rs, start, rows);
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
  tf.dispose([rt, rs, total]);
  return value;
}

/**
 * dL/dPs. With G = Rt / (Rs + ε), so that dL/dRs = -G / M:
 *   dL/dAs[i,j] = -G[i,j] / (M rs_i),    dL/drs_i = Σ_j G[i,j] Rs[i,j] / (M rs_i),
 *   dPs = (dAs + dAsᵀ) Ps + drs ⊗ q̄ + 1 ⊗ (Psᵀ drs),   q̄ = Σ_j Ps[j]  (since rs_i = Ps[i] · q̄).
 */
function backward(p: tf.Tensor2D, q: tf.Tensor2D, chunkRows: number, epsilon: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [M, C] = q.shape;
    const rt = rowSums(p);
    const qBar = q.sum(0).expandDims(0) as tf.Tensor2D;
    const rs = q.matMul(qBar, false, true) as tf.Tensor2D;
    const rowParts: tf.Tensor2D[] = [];
    const drsParts: tf.Tensor2D[] = [];
    let columnPart: tf.Tensor2D = tf.zeros([M, C]);
    for (let start = 0; start < M; start += chunkRows) {
      const rows = Math.min(chunkRows, M - start);
      const scale = tf.tidy(() => rs.slice([start, 0], [rows, 1]).mul(M).reciprocal()); // 1 / (M rs_i)
      const Rt = normalisedRows(p, rt, start, rows);
      const Rs = normalisedRows(q, rs, start, rows);
      const den = Rs.add(epsilon);
      const G = consume([Rt, den], () => Rt.div(den));
      const GRs = consume([Rs], () => G.mul(Rs));
      drsParts.push(consume([GRs], () => tf.tidy(() => GRs.sum(1, true).mul(scale)) as tf.Tensor2D));
      const dA = consume([G, scale], () => G.mul(scale.neg()) as tf.Tensor2D);
      rowParts.push(dA.matMul(q) as tf.Tensor2D);
      const qChunk = q.slice([start, 0], [rows, C]);
      const nextColumn = consume([dA, qChunk, columnPart], () => tf.tidy(() => columnPart.add(dA.matMul(qChunk, true, false))) as tf.Tensor2D);
      columnPart = nextColumn;
    }
    const drs = tf.concat(drsParts, 0);
    return columnPart
      .add(tf.concat(rowParts, 0))
      .add(drs.mul(qBar))
      .add(drs.matMul(q, true, false)) as tf.Tensor2D;
  });
}

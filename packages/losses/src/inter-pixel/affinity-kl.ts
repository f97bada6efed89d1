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

/**
 * The same distance with rows and columns from different pixel sets: row i of the rows relates to
 * every pixel of the columns, `R[i, j] = A[i, j] / Σ_{j in columns} A[i, j]` with `A[i, j] = P[i] · P[j]`,
 * averaged over the rows. Inputs are [Mr, C] (rows) and [Mc, C] (columns); the student gets a
 * gradient on both.
 */
export function affinityKlColumns(
  teacherRows: tf.Tensor2D,
  teacherColumns: tf.Tensor2D,
  studentRows: tf.Tensor2D,
  studentColumns: tf.Tensor2D,
  chunkRows: number,
  epsilon: number,
): tf.Scalar {
  return affinityKlColumnsOp(chunkRows, epsilon)(studentRows, studentColumns, teacherRows, teacherColumns);
}

function affinityKlOp(chunkRows: number, epsilon: number): (q: tf.Tensor2D, p: tf.Tensor2D) => tf.Scalar {
  return tf.customGrad(((q: tf.Tensor2D, p: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    save([q, p]);
    const square = (sq: tf.Tensor2D, sp: tf.Tensor2D): PixelSets => ({ p: sp, pc: sp, q: sq, qc: sq });
    return {
      value: forward(square(q, p), chunkRows, epsilon),
      gradFunc: (dy: tf.Scalar, [savedQ, savedP]: tf.Tensor2D[]) =>
        tf.tidy(() => {
          const g = backward(square(savedQ, savedP), chunkRows, epsilon);
          // one sum per entry, in this order: the default path's numbers stay as they were
          return [g.columnPartT.transpose().add(g.rowPart).add(g.drs.mul(g.qBar)).add(savedQ.mul(g.drs).sum(0, true)).mul(dy), tf.zerosLike(savedP)];
        }),
    };
  }) as never) as never;
}

function affinityKlColumnsOp(
  chunkRows: number,
  epsilon: number,
): (q: tf.Tensor2D, qc: tf.Tensor2D, p: tf.Tensor2D, pc: tf.Tensor2D) => tf.Scalar {
  return tf.customGrad(((q: tf.Tensor2D, qc: tf.Tensor2D, p: tf.Tensor2D, pc: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    save([q, qc, p, pc]);
    return {
      value: forward({ p, pc, q, qc }, chunkRows, epsilon),
      gradFunc: (dy: tf.Scalar, [sq, sqc, sp, spc]: tf.Tensor2D[]) =>
        tf.tidy(() => {
          const g = backward({ p: sp, pc: spc, q: sq, qc: sqc }, chunkRows, epsilon);
          return [
            g.rowPart.add(g.drs.mul(g.qBar)).mul(dy),
            g.columnPartT.transpose().add(sq.mul(g.drs).sum(0, true)).mul(dy),
            tf.zerosLike(sp),
            tf.zerosLike(spc),
          ];
        }),
    };
  }) as never) as never;
}

/** Teacher (p) and student (q) probabilities of the rows, and of the columns (pc, qc). */
interface PixelSets {
  p: tf.Tensor2D;
  pc: tf.Tensor2D;
  q: tf.Tensor2D;
  qc: tf.Tensor2D;
}

/** [Mr, 1] row sums of P Pcᵀ without forming it. */
function rowSums(p: tf.Tensor2D, columns: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => p.matMul(columns.sum(0).expandDims(1) as tf.Tensor2D)) as tf.Tensor2D;
}

/**
 * Rows [start, start + rows) of the row-normalised affinity `P Pcᵀ / rowsum`, computed as
 * `(P[rows] / rowsum[rows]) Pcᵀ` so the division touches [rows, C], not [rows, Mc]; `pcT` is Pcᵀ
 * transposed once (wasm's matMul is several times slower with a transposed operand). The chunk
 * loops below free each [rows, Mc] intermediate as soon as it is used: about three live at once.
 */
function normalisedRows(p: tf.Tensor2D, pcT: tf.Tensor2D, rowSum: tf.Tensor2D, start: number, rows: number): tf.Tensor2D {
  return tf.tidy(() => p.slice([start, 0], [rows, p.shape[1]]).div(rowSum.slice([start, 0], [rows, 1])).matMul(pcT) as tf.Tensor2D);
}

/** Applies `f` and frees its inputs at once (a tidy would hold them to the end of the chunk). */
function consume<T extends tf.Tensor>(inputs: tf.Tensor[], f: () => T): T {
  const out = f();
  tf.dispose(inputs);
  return out;
}

function forward({ p, pc, q, qc }: PixelSets, chunkRows: number, epsilon: number): tf.Scalar {
  const M = p.shape[0];
  const rt = rowSums(p, pc);
  const rs = rowSums(q, qc);
  const pT = pc.transpose() as tf.Tensor2D;
  const qT = qc.transpose() as tf.Tensor2D;
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
 * The parts of dL/dPs (rows q, columns qc; the square case has q = qc and adds them all). With
 * G = Rt / (Rs + ε) (so dL/dRs = -G / Mr) and s_i = 1 / (Mr rs_i):
 *   dL/dAs[i,j] = -s_i G[i,j],
 *   dL/drs_i = s_i Σ_j G[i,j] Rs[i,j] = s_i (1 - ε Σ_j G[i,j])   (Rs/(Rs+ε) = 1 - ε/(Rs+ε), Σ_j Rt[i,j] = 1),
 *   dq = dAs qc + drs ⊗ q̄,   dqc = dAsᵀ q + 1 ⊗ (qᵀ drs),   q̄ = Σ_j qc[j]  (since rs_i = q[i] · q̄).
 * `rowPart` is dAs qc, `columnPartT` is (dAsᵀ q)ᵀ. The row factor s_i is applied to [rows, C]
 * operands, so the only [rows, Mc] passes are the two affinities, Rs + ε, G and G's row sums.
 */
function backward({ p, pc, q, qc }: PixelSets, chunkRows: number, epsilon: number) {
  return tf.tidy(() => {
    const [M, C] = q.shape;
    const Mc = qc.shape[0];
    const rt = rowSums(p, pc);
    const qBar = qc.sum(0).expandDims(0) as tf.Tensor2D;
    const rs = rowSums(q, qc);
    const pT = pc.transpose() as tf.Tensor2D;
    const qT = qc.transpose() as tf.Tensor2D;
    const qRowsT = q === qc ? qT : (q.transpose() as tf.Tensor2D);
    const rowParts: tf.Tensor2D[] = [];
    const drsParts: tf.Tensor2D[] = [];
    // (dAsᵀ q)ᵀ = qᵀ dAs, accumulated as [C, Mc] so no matMul needs a transposed operand
    let columnPartT: tf.Tensor2D = tf.zeros([C, Mc]);
    for (let start = 0; start < M; start += chunkRows) {
      const rows = Math.min(chunkRows, M - start);
      const negScale = tf.tidy(() => rs.slice([start, 0], [rows, 1]).mul(-M).reciprocal()) as tf.Tensor2D; // -s_i
      const Rt = normalisedRows(p, pT, rt, start, rows);
      const Rs = normalisedRows(q, qT, rs, start, rows);
      const den = consume([Rs], () => Rs.add(epsilon));
      const G = consume([Rt, den], () => Rt.div(den)) as tf.Tensor2D;
      drsParts.push(tf.tidy(() => G.sum(1, true).mul(-epsilon).add(1).mul(negScale).neg()) as tf.Tensor2D);
      rowParts.push(tf.tidy(() => G.matMul(qc).mul(negScale)) as tf.Tensor2D);
      const scaledQT = tf.tidy(() => qRowsT.slice([0, start], [C, rows]).mul(negScale.reshape([1, rows])));
      columnPartT = consume([G, scaledQT, columnPartT, negScale], () => tf.tidy(() => columnPartT.add(scaledQT.matMul(G))) as tf.Tensor2D);
    }
    return { columnPartT, rowPart: tf.concat(rowParts, 0) as tf.Tensor2D, drs: tf.concat(drsParts, 0) as tf.Tensor2D, qBar };
  });
}

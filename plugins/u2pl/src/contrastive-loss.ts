import { tf } from '@ssseg/engine';
import type { ClassMemoryBanks } from './memory-bank';
import { contrastivePixels, type ContrastivePixels, type ContrastiveRules, type PixelEvidence } from './contrastive-pixels';

/** One class's draw: positions in its anchor candidates (numQueries) and in its memory bank (numQueries * numNegatives). */
export interface ContrastiveDraw {
  anchors: Int32Array;
  negatives: Int32Array;
}

/** Draws class c's anchors among `anchorCount` candidates and its negatives among `bankSize` keys (with replacement). */
export type DrawContrastive = (c: number, anchorCount: number, bankSize: number) => ContrastiveDraw;

export interface ContrastiveSettings {
  temperature: number;
  numQueries: number;
  numNegatives: number;
}

/**
 * One step of U2PL's contrastive term: picks each class's anchors, prototype pixels and negatives
 * from the evidence, enqueues the negatives (teacher embeddings) in the memory banks, then
 * computes `contrastiveLoss` against the updated banks, as the official code does.
 */
export function memoryBankContrastive(
  studentRep: tf.Tensor2D,
  teacherRep: Float32Array,
  evidence: PixelEvidence,
  banks: ClassMemoryBanks,
  draw: DrawContrastive,
  settings: ContrastiveSettings & ContrastiveRules,
): tf.Scalar {
  const pixels = contrastivePixels(evidence, settings);
  enqueueNegatives(banks, teacherRep, pixels);
  return contrastiveLoss(studentRep, teacherRep, pixels, banks, draw, settings);
}

/** Enqueues each class's negative keys (rows of the teacher's embedding [P, D]) in its memory bank. */
export function enqueueNegatives(banks: ClassMemoryBanks, teacherRep: Float32Array, pixels: ContrastivePixels): void {
  pixels.negatives.forEach((rows, c) => banks.push(c, teacherRep, rows));
}

/** Class c's prototype: the mean teacher embedding of its reliable pixels. */
function prototype(teacherRep: Float32Array, rows: Int32Array, dim: number): Float32Array {
  const sum = new Float64Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) sum[d] += teacherRep[r * dim + d];
  return Float32Array.from(sum, (s) => s / rows.length);
}

/**
 * U2PL's contrastive loss (the official compute_contra_memobank_loss, Eq. 12). For each class c
 * with reliable pixels (the valid classes, |valid| of them) whose anchor candidates and memory
 * bank are not empty, `draw` picks numQueries anchors z (student embeddings) and, per anchor,
 * numNegatives keys z- of the bank; the positive z+ is the class prototype. With
 * s(a, b) = cos(a, b) / temperature,
 *
 *   L_c = (1 / |valid|) * sum_c mean_anchors -log( e^{s(z, z+)} / (e^{s(z, z+)} + sum_{z-} e^{s(z, z-)}) )
 *
 * and 0 (still connected to `studentRep`) when at most one class is valid. Only `studentRep`
 * [P, D] carries a gradient; `teacherRep` [P, D] and the bank are constants.
 */
export function contrastiveLoss(
  studentRep: tf.Tensor2D,
  teacherRep: Float32Array,
  pixels: ContrastivePixels,
  banks: ClassMemoryBanks,
  draw: DrawContrastive,
  settings: ContrastiveSettings,
): tf.Scalar {
  const dim = studentRep.shape[1];
  const { numQueries: Q, numNegatives: K, temperature } = settings;
  const valid = pixels.reliable.map((rows, c) => (rows.length ? c : -1)).filter((c) => c >= 0);
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [studentRep.sum().mul(0) as tf.Scalar];
    if (valid.length <= 1) return terms[0];
    for (const c of valid) {
      const candidates = pixels.anchors[c];
      if (!candidates.length || !banks.size(c)) continue;
      const picked = draw(c, candidates.length, banks.size(c));
      if (picked.anchors.length !== Q || picked.negatives.length !== Q * K) {
        throw new Error(`contrastive draw of class ${c}: ${picked.anchors.length} anchors and ${picked.negatives.length} negatives, expected ${Q} and ${Q * K}`);
      }
      const anchors = gatherRows(studentRep, Int32Array.from(picked.anchors, (j) => candidates[j]));
      const positive = tf.tensor3d(prototype(teacherRep, pixels.reliable[c], dim), [1, 1, dim]).tile([Q, 1, 1]) as tf.Tensor3D;
      const keys = tf.concat3d([positive, tf.tensor3d(banks.gather(c, picked.negatives), [Q, K, dim])], 1);
      const logits = cosine(anchors, keys).div(temperature);
      // cross-entropy with the positive (index 0) as the target, averaged over the anchors
      terms.push(tf.logSumExp(logits, 1).sub(logits.slice([0, 0], [Q, 1]).squeeze([1])).mean() as tf.Scalar);
    }
    return tf.addN(terms).div(valid.length) as tf.Scalar;
  });
}

/** cos(anchor_q, key_qk) for anchors [Q, D] and keys [Q, K, D]: [Q, K]; the product of the norms clamped at 1e-8 as torch's. */
function cosine(anchors: tf.Tensor2D, keys: tf.Tensor3D): tf.Tensor2D {
  const dot = tf.matMul(keys, anchors.expandDims(2) as tf.Tensor3D).squeeze([2]);
  const norms = anchors.square().sum(-1, true).mul(keys.square().sum(-1));
  return dot.div(norms.maximum(1e-16).sqrt()) as tf.Tensor2D;
}

/**
 * Rows of x [P, D], with the gradient scattered back (repeated rows summed). tf.gather's own
 * gradient, an unsorted segment sum, costs P times the rows taken on the CPU kernels.
 */
function gatherRows(x: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const gather = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const source = inputs[0] as tf.Tensor;
    return {
      value: tf.gather(source, rows),
      gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.tensor2d(rows, [rows.length, 1], 'int32'), dy, source.shape),
    };
  });
  return gather(x) as tf.Tensor2D;
}

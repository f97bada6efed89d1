import { tf } from '@ssseg/engine';

/**
 * What U2PL's contrastive term reads of each pixel of the step (labelled images first, then the
 * unlabelled strong view), at the features' resolution, as flat arrays over P pixels.
 */
export interface PixelEvidence {
  /** [P] class of each pixel: the ground truth (labelled) or the pseudo-label (unlabelled); 255 = none. */
  labels: Int32Array;
  /** [P, C] the teacher's probabilities. */
  probs: Float32Array;
  /** [P] 1 where the pixel is reliable: labelled, or unlabelled with low teacher entropy. */
  reliable: ArrayLike<number>;
  /** [P] 1 where the pixel may be a negative key: labelled, or unlabelled with high teacher entropy. */
  unreliable: ArrayLike<number>;
  /** The first `labelledPixels` pixels are the labelled images'. */
  labelledPixels: number;
  numClasses: number;
}

/** The official thresholds and ranks (current_class_threshold, current_class_negative_threshold, low_rank, high_rank). */
export interface ContrastiveRules {
  /** delta_p: an anchor's teacher probability of its class exceeds this. */
  positiveThreshold: number;
  /** delta_n: a negative key's teacher probability of the class is below this. */
  negativeThreshold: number;
  /** r_l: a labelled negative of class c ranks c among its teacher's first r_l classes; an unlabelled one from r_l on. */
  lowRank: number;
  /** r_h: an unlabelled negative of class c ranks c before r_h. */
  highRank: number;
}

/** Pixel indices (row-major over the P pixels) per class. */
export interface ContrastivePixels {
  /** Reliable pixels of class c: their teacher features average to its prototype; a class with none takes no part. */
  reliable: Int32Array[];
  /** Reliable pixels of class c whose teacher probability of c exceeds delta_p: the anchor candidates. */
  anchors: Int32Array[];
  /** Pixels that are negatives for class c (the keys enqueued in its memory bank). */
  negatives: Int32Array[];
}

/**
 * The anchors, prototype pixels and negative keys of every class (U2PL, Eqs. 13-16). For class c:
 * reliable pixels labelled c give the prototype, those with p(c) > delta_p are anchor candidates;
 * a negative has p(c) < delta_n and is either labelled (label != c, c among the teacher's first
 * r_l classes) or unreliable unlabelled (c ranked in [r_l, r_h) by the teacher). Ranks sort the
 * teacher's probabilities in descending order, ties by class index.
 */
export function contrastivePixels(e: PixelEvidence, rules: ContrastiveRules): ContrastivePixels {
  const C = e.numClasses, P = e.labels.length;
  if (e.probs.length !== P * C) throw new Error(`contrastive pixels: ${e.probs.length} probabilities for ${P} pixels of ${C} classes`);
  const reliable: number[][] = [], anchors: number[][] = [], negatives: number[][] = [];
  for (let c = 0; c < C; c++) reliable.push([]), anchors.push([]), negatives.push([]);
  const rank = new Int32Array(C);
  for (let i = 0; i < P; i++) {
    const label = e.labels[i];
    const p = e.probs.subarray(i * C, (i + 1) * C);
    if (e.reliable[i] > 0 && label >= 0 && label < C) {
      reliable[label].push(i);
      if (p[label] > rules.positiveThreshold) anchors[label].push(i);
    }
    if (!(e.unreliable[i] > 0)) continue;
    ranks(p, rank);
    const labelled = i < e.labelledPixels;
    for (let c = 0; c < C; c++) {
      if (!(p[c] < rules.negativeThreshold)) continue;
      const negative = labelled ? label !== c && rank[c] < rules.lowRank : rank[c] >= rules.lowRank && rank[c] < rules.highRank;
      if (negative) negatives[c].push(i);
    }
  }
  const ints = (lists: number[][]) => lists.map((l) => Int32Array.from(l));
  return { reliable: ints(reliable), anchors: ints(anchors), negatives: ints(negatives) };
}

/** rank[c] = position of class c when p is sorted in descending order (ties: lower class first). */
function ranks(p: Float32Array, rank: Int32Array): void {
  const C = p.length;
  for (let c = 0; c < C; c++) {
    let r = 0;
    for (let k = 0; k < C; k++) if (p[k] > p[c] || (p[k] === p[c] && k < c)) r++;
    rank[c] = r;
  }
}

/** The step's tensors the evidence is read from, all at the features' resolution [h, w]. */
export interface EvidenceTensors {
  /** [B_l, h, w] ground truth, 255 = ignored. */
  labelledMasks: tf.Tensor3D;
  /** [B_l, h, w, C] the teacher's probabilities on the labelled images. */
  labelledProbs: tf.Tensor4D;
  /** [B_u, h, w] pseudo-labels of the strong view. */
  unlabelledLabels: tf.Tensor3D;
  /** [B_u, h, w, C] the teacher's probabilities, CutMix-aligned to the strong view. */
  unlabelledProbs: tf.Tensor4D;
  /** [B_u, h, w] 0/1: the low- and high-entropy bands of the strong view's valid pixels. */
  reliable: tf.Tensor3D;
  unreliable: tf.Tensor3D;
}

/** The evidence as flat arrays, labelled pixels first; every valid labelled pixel is both reliable and a negative candidate. */
export function pixelEvidence(t: EvidenceTensors): PixelEvidence {
  return tf.tidy(() => {
    const flat = (parts: tf.Tensor[]) => tf.concat(parts.map((p) => p.flatten()), 0).dataSync();
    const labelledValid = t.labelledMasks.toInt().notEqual(255).toFloat();
    return {
      labels: flat([t.labelledMasks.toInt(), t.unlabelledLabels.toInt()]) as Int32Array,
      probs: flat([t.labelledProbs, t.unlabelledProbs]) as Float32Array,
      reliable: flat([labelledValid, t.reliable]),
      unreliable: flat([labelledValid, t.unreliable]),
      labelledPixels: t.labelledMasks.size,
      numClasses: t.labelledProbs.shape[3],
    };
  });
}

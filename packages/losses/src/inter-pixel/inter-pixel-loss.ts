import { tf } from '@ssseg/engine';
import { stopGradient, type Rng } from '@ssseg/core';
import { gatherRows } from './gather-rows';
import { selectPixels } from './select-pixels';
import { affinityKl } from './affinity-kl';
import { affinityCorrelation } from './affinity-correlation';
import { spatialRelation } from './spatial';
import { naiveRelation } from './naive';

export type InterPixelRelation = 'affinity' | 'spatial';
export type InterPixelDistance = 'kl' | 'correlation';

export interface InterPixelOptions {
  /** `affinity` (default): pixel-by-pixel class agreement; `spatial`: per-class distributions over pixels. */
  relation?: InterPixelRelation;
  /** `kl` (default) or `correlation` (row Pearson). */
  distance?: InterPixelDistance;
  /** Pixels whose teacher top probability is below this are left out (default 0.95). */
  confThreshold?: number;
  teacherTemperature?: number;
  studentTemperature?: number;
  /** Keep at most this many pixels per image, drawn without replacement with `rng` (default null: all). */
  maxPixels?: number | null;
  /** [B, H, W], 1 = ignored pixel (padding, CutMix-ignored area). */
  ignoreMask?: tf.Tensor3D;
  /** Rows of the [M, M] affinity held at once by the chunked KL (default 1024). */
  chunkRows?: number;
  /**
   * Added inside the logs of the affinity KL (default 1e-8). Row-normalised affinities average
   * 1/M (6e-5 at M = 16384), so 1e-8 keeps entries that underflow to 0 finite while biasing a
   * typical entry by under 2e-4 relative, well inside float32's useful range.
   */
  epsilon?: number;
  /**
   * Correlation only: floor on each row's standard deviation (default 0.01; see affinityCorrelation).
   * Affinity entries are probabilities in [0, 1]: a row of a two-class image with a share s of
   * the other class has std ≈ sqrt(s(1-s)), so 0.01 only flattens rows with < 0.01% of another
   * class (or near-uniform predictions) and caps the 1/std gradient factor at 100.
   */
  stdFloor?: number;
  /** Seeded generator for `maxPixels` sampling (required when maxPixels is set). */
  rng?: Rng;
}

export interface InterPixelResult {
  loss: tf.Scalar;
  /** M per image after the confidence mask and sampling (images with M < 2 contribute nothing). */
  keptPerImage: number[];
  /** Confident non-ignored pixels over non-ignored pixels, before sampling, over the batch. */
  confidentShare: number;
}

interface Resolved {
  relation: InterPixelRelation;
  distance: InterPixelDistance;
  confThreshold: number;
  teacherTemperature: number;
  studentTemperature: number;
  maxPixels: number | null;
  chunkRows: number;
  epsilon: number;
  stdFloor: number;
}

export const INTER_PIXEL_DEFAULTS: Resolved = {
  relation: 'affinity',
  distance: 'kl',
  confThreshold: 0.95,
  teacherTemperature: 1,
  studentTemperature: 1,
  maxPixels: null,
  chunkRows: 1024,
  epsilon: 1e-8,
  stdFloor: 0.01,
};

/**
 * The IPixMatch inter-pixel relation term (specified in docs/IPIXMATCH.md) between teacher logits (weak view,
 * no gradient) and student logits (strong view), both [B, H, W, C]: the mean over images with at
 * least two kept pixels of the per-image relation distance; zero (connected to the student, so its
 * gradient is zeros) when no image contributes.
 */
export function interPixelLoss(teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, options: InterPixelOptions = {}): tf.Scalar {
  return interPixelLossWithStats(teacherLogits, studentLogits, options).loss;
}

/** interPixelLoss with the statistics a regularizer logs. */
export function interPixelLossWithStats(
  teacherLogits: tf.Tensor4D,
  studentLogits: tf.Tensor4D,
  options: InterPixelOptions = {},
): InterPixelResult {
  return run(teacherLogits, studentLogits, options, false);
}

/**
 * The same term through the naive per-image reference (full [M, M] matrices, autodiff): for
 * tests and benchmark W3 only; O(M²) memory.
 */
export function interPixelLossNaive(teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, options: InterPixelOptions = {}): tf.Scalar {
  return run(teacherLogits, studentLogits, options, true).loss;
}

function run(teacherLogits: tf.Tensor4D, studentLogits: tf.Tensor4D, options: InterPixelOptions, naive: boolean): InterPixelResult {
  const o = resolve(options);
  checkShapes(teacherLogits, studentLogits, options.ignoreMask);
  if (o.maxPixels !== null && !options.rng) {
    throw new Error('interPixelLoss: options.maxPixels is set but options.rng is missing (pass a seeded Rng from @ssseg/core)');
  }
  const C = teacherLogits.shape[3];
  const teacherScaled = tf.tidy(() => stopGradient(teacherLogits).div(o.teacherTemperature) as tf.Tensor4D);
  const teacherProbs = tf.tidy(() => tf.softmax(teacherScaled) as tf.Tensor4D);
  const selection = selectPixels(teacherProbs, options.ignoreMask, o.confThreshold, o.maxPixels, options.rng);
  teacherProbs.dispose();
  const keptPerImage = selection.indices.map((idx) => idx.length);
  const contributing = selection.indices.filter((idx) => idx.length >= 2);

  const loss = tf.tidy(() => {
    if (!contributing.length) return studentLogits.sum().mul(0) as tf.Scalar;
    const all = new Int32Array(contributing.reduce((n, idx) => n + idx.length, 0));
    let offset = 0;
    for (const idx of contributing) {
      all.set(idx, offset);
      offset += idx.length;
    }
    const indices = tf.tensor1d(all, 'int32');
    const zt = gatherRows(teacherScaled.reshape([-1, C]), indices);
    const zs = gatherRows(studentLogits.reshape([-1, C]), indices).div(o.studentTemperature) as tf.Tensor2D;
    // split, not slice: the gradient of a split is one concat, that of B slices B full-size pads
    // (and tfjs's SplitV gradient fails on a single piece, hence the one-image case)
    const sizes = contributing.map((idx) => idx.length);
    const teacherRows = sizes.length > 1 ? (tf.split(zt, sizes, 0) as tf.Tensor2D[]) : [zt];
    const studentRows = sizes.length > 1 ? (tf.split(zs, sizes, 0) as tf.Tensor2D[]) : [zs];
    const perImage = teacherRows.map((t, b) =>
      naive
        ? naiveRelation(t, studentRows[b], o.relation, o.distance, o.epsilon, o.stdFloor)
        : relationTerm(t, studentRows[b], o),
    );
    return tf.addN(perImage).div(perImage.length) as tf.Scalar;
  });
  teacherScaled.dispose();
  return { loss, keptPerImage, confidentShare: selection.confidentShare };
}

function relationTerm(t: tf.Tensor2D, s: tf.Tensor2D, o: Resolved): tf.Scalar {
  if (o.relation === 'spatial') return spatialRelation(t, s, o.distance, o.stdFloor);
  return tf.tidy(() => {
    const Pt = tf.softmax(t) as tf.Tensor2D;
    const Ps = tf.softmax(s) as tf.Tensor2D;
    return o.distance === 'kl' ? affinityKl(Pt, Ps, o.chunkRows, o.epsilon) : affinityCorrelation(Pt, Ps, o.stdFloor);
  });
}

function resolve(options: InterPixelOptions): Resolved {
  const o: Resolved = { ...INTER_PIXEL_DEFAULTS };
  for (const key of Object.keys(INTER_PIXEL_DEFAULTS) as (keyof Resolved)[]) {
    if (options[key] !== undefined) (o as unknown as Record<string, unknown>)[key] = options[key];
  }
  const fail = (key: string, expected: string) => {
    throw new Error(`interPixelLoss: options.${key} must be ${expected}, got ${JSON.stringify((options as Record<string, unknown>)[key])}`);
  };
  if (o.relation !== 'affinity' && o.relation !== 'spatial') fail('relation', "'affinity' or 'spatial'");
  if (o.distance !== 'kl' && o.distance !== 'correlation') fail('distance', "'kl' or 'correlation'");
  if (!(o.confThreshold >= 0 && o.confThreshold <= 1)) fail('confThreshold', 'a number in [0, 1]');
  if (!(o.teacherTemperature > 0)) fail('teacherTemperature', 'a positive number');
  if (!(o.studentTemperature > 0)) fail('studentTemperature', 'a positive number');
  if (o.maxPixels !== null && !(Number.isInteger(o.maxPixels) && o.maxPixels >= 2)) fail('maxPixels', 'null or an integer >= 2');
  if (!(Number.isInteger(o.chunkRows) && o.chunkRows >= 1)) fail('chunkRows', 'a positive integer');
  if (!(o.epsilon >= 0)) fail('epsilon', 'a number >= 0');
  if (!(o.stdFloor > 0)) fail('stdFloor', 'a positive number');
  return o;
}

function checkShapes(teacher: tf.Tensor, student: tf.Tensor, ignore: tf.Tensor | undefined): void {
  if (teacher.rank !== 4) throw new Error(`interPixelLoss: teacherLogits must be [B, H, W, C], got shape [${teacher.shape}]`);
  if (!tf.util.arraysEqual(teacher.shape, student.shape)) {
    throw new Error(`interPixelLoss: studentLogits shape [${student.shape}] differs from teacherLogits shape [${teacher.shape}]`);
  }
  if (ignore && !tf.util.arraysEqual(ignore.shape, teacher.shape.slice(0, 3))) {
    throw new Error(`interPixelLoss: ignoreMask must be [${teacher.shape.slice(0, 3)}], got [${ignore.shape}]`);
  }
}

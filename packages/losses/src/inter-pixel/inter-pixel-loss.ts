import { tf } from '@ssseg/engine';
import { stopGradient, type Rng } from '@ssseg/core';
import { gatherRows } from './gather-rows';
import { selectPixels } from './select-pixels';
import { relationGroups, concat, type PixelSet, type RelationScope } from './relation-groups';
import { affinityKl, affinityKlColumns } from './affinity-kl';
import { affinityCorrelation } from './affinity-correlation';
import { spatialRelation } from './spatial';
import { naiveRelation } from './naive';

export type InterPixelRelation = 'affinity' | 'spatial';
export type InterPixelDistance = 'kl' | 'correlation';
export type { PixelSet, RelationScope } from './relation-groups';

export interface InterPixelOptions {
  /** `affinity` (default): pixel-by-pixel class agreement; `spatial`: per-class distributions over pixels. */
  relation?: InterPixelRelation;
  /** `kl` (default) or `correlation` (row Pearson). */
  distance?: InterPixelDistance;
  /** Pixels whose teacher top probability is below this are left out (default 0.95). */
  confThreshold?: number;
  teacherTemperature?: number;
  studentTemperature?: number;
  /**
   * Which pixels the relations start from (`rows`) and relate to (`columns`): `confident` (default)
   * the kept confident pixels; `all` every non-ignored pixel (less the confident ones `perClass` or
   * `maxPixels` left out). Row i's relation is `A[i, j] / Σ_{j in columns} A[i, j]`; KL and
   * correlation average over rows. A group contributes with at least one row and two columns.
   * `relation: spatial` forms its distributions over the columns and takes no `rows: all`.
   */
  rows?: PixelSet;
  columns?: PixelSet;
  /**
   * Per image, keep at most this many confident pixels of each teacher class (argmax): of a
   * class's n, those at raster positions floor(k n / K), k < K (default null: all).
   */
  perClass?: number | null;
  /** Keep at most this many confident pixels per image (after perClass), drawn without replacement with `rng` (default null: all). */
  maxPixels?: number | null;
  /** `image` (default): relations within each image; `batch`: among the batch's pixels pooled as one set. */
  scope?: RelationScope;
  /** Spatial only: `all` (default) classes, or those `present` as the teacher's argmax on a kept pixel. */
  classes?: 'all' | 'present';
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
  /** Confident pixels kept per image, after the confidence mask, perClass and sampling. */
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
  rows: PixelSet;
  columns: PixelSet;
  perClass: number | null;
  maxPixels: number | null;
  scope: RelationScope;
  classes: 'all' | 'present';
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
  rows: 'confident',
  columns: 'confident',
  perClass: null,
  maxPixels: null,
  scope: 'image',
  classes: 'all',
  chunkRows: 1024,
  epsilon: 1e-8,
  stdFloor: 0.01,
};

/**
 * The IPixMatch inter-pixel relation term (specified in docs/IPIXMATCH.md) between teacher logits (weak view, no gradient) and
 * student logits (strong view), both [B, H, W, C]: the mean over groups (images, or the pooled
 * batch) with at least one row and two columns of the group's relation distance; zero (connected
 * to the student, so its gradient is zeros) when no group contributes.
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
 * The same term through the naive per-group reference (full [Mr, Mc] matrices, autodiff): for
 * tests and benchmark W3 only; O(Mr Mc) memory.
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
  const selection = selectPixels(teacherProbs, options.ignoreMask, {
    confThreshold: o.confThreshold,
    perClass: o.perClass,
    maxPixels: o.maxPixels,
    rng: options.rng,
    withAll: o.rows === 'all' || o.columns === 'all',
  });
  teacherProbs.dispose();
  const keptPerImage = selection.confident.map((idx) => idx.length);
  // spatial distributions run over one pixel set: the columns
  const groups = relationGroups(selection, o.relation === 'spatial' ? o.columns : o.rows, o.columns, o.scope);

  const loss = tf.tidy(() => {
    if (!groups.length) return studentLogits.sum().mul(0) as tf.Scalar;
    const teacherFlat = teacherScaled.reshape([-1, C]) as tf.Tensor2D;
    const studentFlat = studentLogits.reshape([-1, C]) as tf.Tensor2D;
    const rows = gatherGroups(teacherFlat, studentFlat, groups.map((g) => g.rows), o.studentTemperature);
    const square = groups.every((g) => g.columns === g.rows);
    const columns = square ? rows : gatherGroups(teacherFlat, studentFlat, groups.map((g) => g.columns), o.studentTemperature);
    const perGroup = rows.teacher.map((t, g) =>
      naive
        ? naiveRelation(t, rows.student[g], o, columns.teacher[g], columns.student[g])
        : relationTerm(t, rows.student[g], columns.teacher[g], columns.student[g], o),
    );
    return tf.addN(perGroup).div(perGroup.length) as tf.Scalar;
  });
  teacherScaled.dispose();
  return { loss, keptPerImage, confidentShare: selection.confidentShare };
}

/** The groups' pixels of teacher and student ([N, C] each), one [M_g, C] matrix per group. */
function gatherGroups(teacher: tf.Tensor2D, student: tf.Tensor2D, sets: Int32Array[], studentTemperature: number) {
  const indices = tf.tensor1d(concat(sets), 'int32');
  const zt = gatherRows(teacher, indices);
  const zs = gatherRows(student, indices).div(studentTemperature) as tf.Tensor2D;
  // split, not slice: the gradient of a split is one concat, that of B slices B full-size pads
  // (and tfjs's SplitV gradient fails on a single piece, hence the one-group case)
  const sizes = sets.map((idx) => idx.length);
  return {
    teacher: sizes.length > 1 ? (tf.split(zt, sizes, 0) as tf.Tensor2D[]) : [zt],
    student: sizes.length > 1 ? (tf.split(zs, sizes, 0) as tf.Tensor2D[]) : [zs],
  };
}

/** One group's term; the columns are the rows' own tensors in the square case (rows and columns the same set). */
function relationTerm(t: tf.Tensor2D, s: tf.Tensor2D, tColumns: tf.Tensor2D, sColumns: tf.Tensor2D, o: Resolved): tf.Scalar {
  if (o.relation === 'spatial') return spatialRelation(t, s, o.distance, o.stdFloor, o.classes);
  return tf.tidy(() => {
    const Pt = tf.softmax(t) as tf.Tensor2D;
    const Ps = tf.softmax(s) as tf.Tensor2D;
    if (tColumns === t) {
      return o.distance === 'kl' ? affinityKl(Pt, Ps, o.chunkRows, o.epsilon) : affinityCorrelation(Pt, Ps, o.stdFloor);
    }
    const Ptc = tf.softmax(tColumns) as tf.Tensor2D;
    const Psc = tf.softmax(sColumns) as tf.Tensor2D;
    return o.distance === 'kl'
      ? affinityKlColumns(Pt, Ptc, Ps, Psc, o.chunkRows, o.epsilon)
      : affinityCorrelation(Pt, Ps, o.stdFloor, Ptc, Psc);
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
  if (o.perClass !== null && !(Number.isInteger(o.perClass) && o.perClass >= 1)) fail('perClass', 'null or a positive integer');
  if (o.rows !== 'confident' && o.rows !== 'all') fail('rows', "'confident' or 'all'");
  if (o.columns !== 'confident' && o.columns !== 'all') fail('columns', "'confident' or 'all'");
  if (o.scope !== 'image' && o.scope !== 'batch') fail('scope', "'image' or 'batch'");
  if (o.classes !== 'all' && o.classes !== 'present') fail('classes', "'all' or 'present'");
  if (o.relation === 'spatial' && o.rows !== 'confident') {
    throw new Error("interPixelLoss: options.rows applies to relation 'affinity' only (spatial distributions run over the columns)");
  }
  if (o.relation !== 'spatial' && o.classes !== 'all') {
    throw new Error("interPixelLoss: options.classes applies to relation 'spatial' only");
  }
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

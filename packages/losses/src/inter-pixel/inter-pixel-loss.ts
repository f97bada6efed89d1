import { tf } from '@ssseg/engine';
import { z } from 'zod';
import { formatZodIssues, stopGradient, type Rng } from '@ssseg/core';
import { gatherRows } from './gather-rows';
import { selectPixels } from './select-pixels';
import { relationGroups, concat } from './relation-groups';
import { InterPixelSettings, interPixelRules } from './inter-pixel-settings';
import { affinityKl, affinityKlColumns } from './affinity-kl';
import { affinityCorrelation } from './affinity-correlation';
import { spatialRelation } from './spatial';
import { naiveRelation } from './naive';

export type InterPixelRelation = InterPixelSettings['relation'];
export type InterPixelDistance = InterPixelSettings['distance'];
export type { PixelSet, RelationScope } from './relation-groups';

/** interPixelLoss's options: the settings (defaults where left out) and the tensors and generator of the call. */
export type InterPixelOptions = z.input<typeof InterPixelSettings> & {
  /** [B, H, W], 1 = ignored pixel (padding, CutMix-ignored area). */
  ignoreMask?: tf.Tensor3D;
  /** Seeded generator for `maxPixels` sampling (required when maxPixels is set). */
  rng?: Rng;
};

export interface InterPixelResult {
  loss: tf.Scalar;
  /** Confident pixels kept per image, after the confidence mask, perClass and sampling. */
  keptPerImage: number[];
  /** Confident non-ignored pixels over non-ignored pixels, before sampling, over the batch. */
  confidentShare: number;
}

/** The settings of a call: other keys of the options (the tensors, a regularizer's own options) are not settings. */
const callSettings = InterPixelSettings.strip().superRefine(interPixelRules);

export const INTER_PIXEL_DEFAULTS: InterPixelSettings = InterPixelSettings.parse({});

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
function relationTerm(t: tf.Tensor2D, s: tf.Tensor2D, tColumns: tf.Tensor2D, sColumns: tf.Tensor2D, o: InterPixelSettings): tf.Scalar {
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

function resolve(options: InterPixelOptions): InterPixelSettings {
  const parsed = callSettings.safeParse(options);
  if (!parsed.success) throw new Error(`interPixelLoss: invalid options:\n${formatZodIssues(parsed.error.issues, 'options')}`);
  return parsed.data;
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

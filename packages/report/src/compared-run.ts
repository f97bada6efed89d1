import * as fs from 'fs';
import * as path from 'path';
import { RUN_FILES, SssegError, asNumber, isRunDone, readDoneMarker, readMetrics } from '@ssseg/core';
import { MATRIX_INDEX_FILE, readMatrixIndex } from './matrix-index';
import type { PlannedRun } from './matrix';

export interface CurvePoint {
  step: number;
  /** Training loss logged at this step (absent where only an evaluation happened). */
  loss?: number;
  /** mIoU of the evaluation at this step, where one ran. */
  miou?: number;
}

/** A finished run as a comparison reads it: identity, mIoU, per-class IoU, curves. */
export interface ComparedRun {
  id: string;
  method: string;
  variant: string;
  split: string;
  seed: number;
  /** mIoU of the last evaluation; null when the run never evaluated. */
  finalMiou: number | null;
  bestMiou: number | null;
  /** IoU per class of the last evaluation (NaN for a class absent from prediction and ground truth). */
  perClassIoU: number[];
  /** Class names the run's evaluations recorded (absent in runs logged before they did). */
  classNames?: string[];
  steps: number;
  wallSeconds: number;
  curve: CurvePoint[];
  /** Each regularizer's logged gradient ratio (`NAME/gradRatio`, see IPixMatch's gradRatioEvery), by name, against step. */
  gradRatios: Record<string, { step: number; value: number }[]>;
}

/**
 * Reads a finished run: final and best mIoU and per-class IoU from the evaluations in
 * metrics.jsonl, the wall time from DONE, and the curve of loss and mIoU against step.
 * The run's identity (method, variant, split, seed) comes from `planned`, or else from the
 * matrix.json of the comparison folder above it.
 */
export function readComparedRun(dir: string, planned?: Omit<PlannedRun, 'config' | 'dir'>): ComparedRun {
  const identity = planned ?? findPlannedRun(dir);
  if (!isRunDone(dir)) throw new SssegError(`run ${identity.id} has not finished (no ${RUN_FILES.done})`, dir);
  const done = readDoneMarker(dir);
  const records = readMetrics(path.join(dir, RUN_FILES.metrics));

  const byStep = new Map<number, CurvePoint>();
  const point = (step: number) => byStep.get(step) ?? byStep.set(step, { step }).get(step)!;
  let lastEval: { miou: number; iou: number[]; classNames?: string[] } | undefined;
  let bestMiou: number | null = null;
  const gradRatios: Record<string, { step: number; value: number }[]> = {};
  for (const r of records) {
    if (r.event === 'step') {
      const loss = asNumber(r.loss);
      if (loss !== undefined) point(r.step).loss = loss;
      for (const [key, raw] of Object.entries(r)) {
        const value = asNumber(raw);
        if (!key.endsWith('/gradRatio') || value === undefined) continue;
        (gradRatios[key.slice(0, -'/gradRatio'.length)] ??= []).push({ step: r.step, value });
      }
    } else if (r.event === 'eval') {
      const miou = asNumber(r.miou);
      if (miou === undefined) continue;
      point(r.step).miou = miou;
      const names = Array.isArray(r.classNames) && r.classNames.every((n) => typeof n === 'string') ? (r.classNames as string[]) : undefined;
      lastEval = { miou, iou: (Array.isArray(r.iou) ? r.iou : []).map((v) => asNumber(v) ?? NaN), classNames: names };
      if (!Number.isNaN(miou) && (bestMiou === null || miou > bestMiou)) bestMiou = miou;
    }
  }
  return {
    id: identity.id,
    method: identity.method,
    variant: identity.variant,
    split: identity.split,
    seed: identity.seed,
    finalMiou: lastEval?.miou ?? done.finalMiou,
    bestMiou: bestMiou ?? done.bestMiou,
    perClassIoU: lastEval?.iou ?? [],
    classNames: lastEval?.classNames,
    steps: done.steps,
    wallSeconds: done.wallSeconds,
    curve: [...byStep.values()].sort((a, b) => a.step - b.step),
    gradRatios,
  };
}

/** The planned run whose folder is `dir`, from the nearest matrix.json above it. */
function findPlannedRun(dir: string): PlannedRun {
  const target = path.resolve(dir);
  for (let root = path.dirname(target); ; root = path.dirname(root)) {
    if (fs.existsSync(path.join(root, MATRIX_INDEX_FILE))) {
      const id = path.relative(root, target).split(path.sep).join('/');
      const run = readMatrixIndex(root).runs.find((r) => r.dir === id);
      if (!run) throw new SssegError(`not a run of the comparison in ${root} (no run '${id}' in ${MATRIX_INDEX_FILE})`, dir);
      return run;
    }
    if (path.dirname(root) === root) throw new SssegError(`no ${MATRIX_INDEX_FILE} in any folder above this run`, dir);
  }
}

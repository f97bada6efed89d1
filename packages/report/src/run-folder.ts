import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { RUN_FILES, SssegError, readMetrics } from '@ssseg/core';
import { MATRIX_INDEX_FILE, readMatrixIndex } from './matrix-index';
import type { PlannedRun } from './matrix';

/** The DONE marker: written atomically when a run ends normally, so its presence means a finished run. */
export const DoneMarkerSchema = z.looseObject({
  steps: z.number().int().nonnegative(),
  finalMiou: z.number().nullable(),
  bestMiou: z.number().nullable(),
  wallSeconds: z.number().nonnegative(),
});
export type DoneMarker = z.infer<typeof DoneMarkerSchema>;

export interface CurvePoint {
  step: number;
  /** Training loss logged at this step (absent where only an evaluation happened). */
  loss?: number;
  /** mIoU of the evaluation at this step, where one ran. */
  miou?: number;
}

export interface RunResult {
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

export type RunState = 'done' | 'failed' | 'incomplete' | 'not-started';

export interface RunStatus {
  state: RunState;
  /** Last step logged, for runs that started. */
  step?: number;
  detail?: string;
}

/** Reads a DONE marker; an empty, torn or foreign one is an error naming the file. */
export function readDoneMarker(file: string): DoneMarker {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SssegError(`cannot read the DONE marker: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  if (!text.trim()) throw new SssegError('invalid DONE marker: the file is empty; delete it to resume or train the run again', file);
  try {
    const parsed = DoneMarkerSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return parsed.data;
  } catch (err) {
    throw new SssegError(`invalid DONE marker: ${(err as Error).message}; delete it to resume or train the run again`, file);
  }
}

export function isRunDone(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.done));
}

/** Where a run stands: finished (DONE), failed (its end record says so), stopped or running, or not started. */
export function runStatus(dir: string): RunStatus {
  if (isRunDone(dir)) return { state: 'done' };
  const metricsFile = path.join(dir, RUN_FILES.metrics);
  if (!fs.existsSync(metricsFile)) return { state: 'not-started' };
  const records = readMetrics(metricsFile, () => undefined); // a torn last line: still incomplete
  const step = records.reduce((s, r) => Math.max(s, r.step), 0);
  const end = [...records].reverse().find((r) => r.event === 'end');
  if (end && end.failed === true) return { state: 'failed', step, detail: typeof end.stoppedBecause === 'string' ? end.stoppedBecause : undefined };
  return { state: 'incomplete', step };
}

/** MetricsWriter writes non-finite numbers as strings ("NaN", "Infinity"); read both back as numbers. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^(NaN|-?Infinity|-?[\d.]+(e[-+]?\d+)?)$/i.test(value)) return Number(value);
  return undefined;
}

/**
 * Reads a finished run: final and best mIoU and per-class IoU from the evaluations in
 * metrics.jsonl, the wall time from DONE, and the curve of loss and mIoU against step.
 * The run's identity (method, variant, split, seed) comes from `planned`, or else from the
 * matrix.json of the comparison folder above it.
 */
export function readRunResult(dir: string, planned?: Omit<PlannedRun, 'config' | 'dir'>): RunResult {
  const identity = planned ?? findPlannedRun(dir);
  const doneFile = path.join(dir, RUN_FILES.done);
  if (!fs.existsSync(doneFile)) throw new SssegError(`run ${identity.id} has not finished (no ${RUN_FILES.done})`, dir);
  const done = readDoneMarker(doneFile);
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

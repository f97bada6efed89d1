import * as fs from 'fs';
import * as path from 'path';
import {
  RUN_FILES, SssegError, asNumber, isRunDone, loadRunConfig, readDoneMarker, readMetrics, runStatus, type MetricsRecord, type RunStatus,
} from '@ssseg/core';

/** A component of the run's config as the report names it: its type and the options it was given. */
export interface ConfiguredComponent {
  type: string;
  options: Record<string, unknown>;
}

export interface EvaluationPoint {
  step: number;
  miou: number;
  iou: number[];
  classNames?: string[];
}

/** Everything a single-run report shows, read from the run's folder only. */
export interface SingleRun {
  dir: string;
  status: RunStatus;
  method: ConfiguredComponent;
  regularizers: ConfiguredComponent[];
  model: ConfiguredComponent;
  data: ConfiguredComponent;
  seed?: number;
  /** The step budget the config asked for (train.maxSteps), when it set one. */
  maxSteps?: number;
  /** Steps trained so far (the DONE marker's count once finished). */
  steps: number;
  wallSeconds?: number;
  /** Every numeric field of the step records, by name (loss terms, lr, confident share, ...), against step. */
  series: Map<string, { step: number; value: number }[]>;
  evaluations: EvaluationPoint[];
}

function component(value: { type: string } & Record<string, unknown>): ConfiguredComponent {
  const { type, ...options } = value;
  return { type, options };
}

/** Step-record fields that are bookkeeping, not curves. */
const NOT_SERIES = new Set(['event', 'step', 'epoch', 'time']);

/**
 * Reads one run's folder (config.yaml, metrics.jsonl, DONE): finished, stopped, failed or still
 * running. Never writes. A folder without config.yaml is not a run folder: the error says so.
 */
export function readSingleRun(dir: string): SingleRun {
  const configFile = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(configFile)) {
    throw new SssegError(`not a run folder (no ${RUN_FILES.config}) and not a comparison folder (no matrix.json)`, dir);
  }
  const config = loadRunConfig(configFile);
  const metricsFile = path.join(dir, RUN_FILES.metrics);
  // a torn last line (a run killed mid-write, or one writing now) is left out
  const records: MetricsRecord[] = fs.existsSync(metricsFile) ? readMetrics(metricsFile, () => undefined) : [];
  const series = new Map<string, { step: number; value: number }[]>();
  const evaluations: EvaluationPoint[] = [];
  for (const r of records) {
    if (r.event === 'step') {
      for (const [name, raw] of Object.entries(r)) {
        const value = asNumber(raw);
        if (NOT_SERIES.has(name) || value === undefined) continue;
        (series.get(name) ?? series.set(name, []).get(name)!).push({ step: r.step, value });
      }
    } else if (r.event === 'eval') {
      const miou = asNumber(r.miou);
      if (miou === undefined) continue;
      const classNames = Array.isArray(r.classNames) && r.classNames.every((n) => typeof n === 'string') ? (r.classNames as string[]) : undefined;
      evaluations.push({ step: r.step, miou, iou: (Array.isArray(r.iou) ? r.iou : []).map((v) => asNumber(v) ?? NaN), classNames });
    }
  }
  const done = isRunDone(dir) ? readDoneMarker(dir) : undefined;
  const end = [...records].reverse().find((r) => r.event === 'end');
  return {
    dir,
    status: runStatus(dir),
    method: component(config.method),
    regularizers: config.regularizers.map(component),
    model: component(config.model),
    data: component(config.data),
    seed: config.train.seed,
    maxSteps: config.train.maxSteps,
    steps: done?.steps ?? records.reduce((s, r) => Math.max(s, r.step), 0),
    wallSeconds: done?.wallSeconds ?? asNumber(end?.wallSeconds),
    series,
    evaluations,
  };
}

import type { ComparisonMatrix, SkippedCell } from './matrix';
import type { RunStatus } from '@ssseg/core';
import type { ComparedRun } from './compared-run';
import { meanDefined, pairedDifferences, summarize, type PairedDifference, type SeedSummary } from './stats';
import { pairedVerdict, type PairedVerdict } from './verdict';

/** One cell (method, variant, split) over its finished seeds. mIoU values are fractions in [0, 1]. */
export interface CellSummary {
  method: string;
  variant: string;
  split: string;
  isBaseline: boolean;
  /** Seeds planned for this cell, and those that finished with an evaluation. */
  plannedSeeds: number[];
  seeds: number[];
  finalMiou: SeedSummary;
  bestMiou: SeedSummary;
  /** Per-class IoU of the last evaluation, mean over seeds (NaN where no seed saw the class). */
  perClassIoU: number[];
  wallSeconds: SeedSummary;
}

/** A variant against the baseline variant of the same method and split, paired by seed. */
export interface GainSummary {
  method: string;
  variant: string;
  baselineVariant: string;
  split: string;
  differences: PairedDifference[];
  /** The paired differences of final mIoU (fractions): mean, 95 % interval, seeds ahead, verdict. */
  verdict: PairedVerdict;
  /** Per class, the mean over the same paired seeds of (treated - base) IoU (NaN where no pair saw the class). */
  perClassDifference: number[];
}

/** Whether a method learns from its unlabelled images: its base variant against a supervised method's, paired by seed. */
export interface LearningSummary {
  method: string;
  supervised: string;
  /** The variant both run: the baseline variant. */
  variant: string;
  split: string;
  differences: PairedDifference[];
  verdict: PairedVerdict;
  /** As GainSummary's: per class, mean (method - supervised) IoU over the paired seeds. */
  perClassDifference: number[];
}

export interface RunRow {
  id: string;
  method: string;
  variant: string;
  split: string;
  seed: number;
  status: RunStatus;
  /** Present for finished runs. */
  result?: ComparedRun;
}

export interface ComparisonSummary {
  name?: string;
  methods: string[];
  variants: string[];
  baselineVariant: string | null;
  splits: string[];
  seeds: number[];
  cells: CellSummary[];
  gains: GainSummary[];
  /** Each other method against each supervised method (empty without one, or without a baseline variant). */
  learning: LearningSummary[];
  runs: RunRow[];
  /** Planned runs with no final mIoU yet (not started, running, stopped, failed, or never evaluated). */
  missing: RunRow[];
  skipped: SkippedCell[];
  /** Largest per-class IoU length over finished runs. */
  numClasses: number;
  /** Each variant's regularizers as its runs were configured (type and options). */
  variantSettings: { variant: string; regularizers: Record<string, unknown>[] }[];
}

function hasFinalMiou(row: RunRow): row is RunRow & { result: ComparedRun & { finalMiou: number } } {
  return row.result !== undefined && row.result.finalMiou !== null && Number.isFinite(row.result.finalMiou);
}

/** Cell statistics, paired gains and the run list of a comparison, from its plan and what its runs wrote. */
export function summarizeComparison(
  matrix: ComparisonMatrix,
  statuses: ReadonlyMap<string, RunStatus>,
  results: ReadonlyMap<string, ComparedRun>,
): ComparisonSummary {
  const runs: RunRow[] = matrix.runs.map((r) => ({
    id: r.id, method: r.method, variant: r.variant, split: r.split, seed: r.seed,
    status: statuses.get(r.id) ?? { state: 'not-started' },
    ...(results.has(r.id) ? { result: results.get(r.id) } : {}),
  }));
  const numClasses = Math.max(0, ...runs.map((r) => r.result?.perClassIoU.length ?? 0));
  const cellKey = (method: string, variant: string, split: string) => `${method}\u0000${variant}\u0000${split}`;
  const rowsByCell = new Map<string, RunRow[]>();
  for (const row of runs) {
    const key = cellKey(row.method, row.variant, row.split);
    rowsByCell.set(key, [...(rowsByCell.get(key) ?? []), row]);
  }

  const cells: CellSummary[] = [];
  for (const method of matrix.methods) {
    for (const variant of matrix.variants) {
      for (const split of matrix.splits) {
        const rows = rowsByCell.get(cellKey(method, variant, split));
        if (!rows) continue;
        const finished = rows.filter(hasFinalMiou);
        cells.push({
          method, variant, split,
          isBaseline: variant === matrix.baselineVariant,
          plannedSeeds: rows.map((r) => r.seed),
          seeds: finished.map((r) => r.seed),
          finalMiou: summarize(finished.map((r) => r.result.finalMiou)),
          bestMiou: summarize(finished.map((r) => r.result.bestMiou ?? NaN).filter(Number.isFinite)),
          perClassIoU: Array.from({ length: numClasses }, (_, c) => meanDefined(finished.map((r) => r.result.perClassIoU[c] ?? NaN))),
          wallSeconds: summarize(finished.map((r) => r.result.wallSeconds)),
        });
      }
    }
  }

  const finalBySeed = (method: string, variant: string, split: string) =>
    new Map((rowsByCell.get(cellKey(method, variant, split)) ?? []).filter(hasFinalMiou).map((r) => [r.seed, r.result.finalMiou]));
  const classIouBySeed = (method: string, variant: string, split: string) =>
    new Map((rowsByCell.get(cellKey(method, variant, split)) ?? []).filter(hasFinalMiou).map((r) => [r.seed, r.result.perClassIoU]));
  const paired = (treated: [string, string, string], base: [string, string, string]) => {
    const differences = pairedDifferences(finalBySeed(...treated), finalBySeed(...base));
    const treatedClasses = classIouBySeed(...treated), baseClasses = classIouBySeed(...base);
    const perClassDifference = Array.from({ length: numClasses }, (_, c) =>
      meanDefined(differences.map(({ seed }) => (treatedClasses.get(seed)?.[c] ?? NaN) - (baseClasses.get(seed)?.[c] ?? NaN))));
    return { differences, verdict: pairedVerdict(differences.map((d) => d.difference)), perClassDifference };
  };
  const gains: GainSummary[] = [];
  const learning: LearningSummary[] = [];
  const baseline = matrix.baselineVariant;
  if (baseline !== null) {
    for (const cell of cells) {
      if (cell.isBaseline || !rowsByCell.has(cellKey(cell.method, baseline, cell.split))) continue;
      gains.push({
        method: cell.method, variant: cell.variant, baselineVariant: baseline, split: cell.split,
        ...paired([cell.method, cell.variant, cell.split], [cell.method, baseline, cell.split]),
      });
    }
    for (const supervised of matrix.supervisedMethods) {
      for (const cell of cells) {
        if (!cell.isBaseline || matrix.supervisedMethods.includes(cell.method) || !rowsByCell.has(cellKey(supervised, baseline, cell.split))) continue;
        learning.push({
          method: cell.method, supervised, variant: baseline, split: cell.split,
          ...paired([cell.method, baseline, cell.split], [supervised, baseline, cell.split]),
        });
      }
    }
  }

  return {
    ...(matrix.name !== undefined ? { name: matrix.name } : {}),
    methods: matrix.methods, variants: matrix.variants, baselineVariant: matrix.baselineVariant,
    splits: matrix.splits, seeds: matrix.seeds,
    cells, gains, learning, runs,
    missing: runs.filter((r) => !hasFinalMiou(r)),
    skipped: matrix.skipped, numClasses,
    variantSettings: matrix.variants.map((variant) => ({
      variant,
      regularizers: (matrix.runs.find((r) => r.variant === variant)?.config.regularizers ?? []) as Record<string, unknown>[],
    })),
  };
}

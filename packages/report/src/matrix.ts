import type { ComponentConfig, RunConfig } from '@ssseg/core';
import { methodLabel, type CompareConfig } from './compare-config';

/** One training run of a comparison: a cell (method, variant, split) at one seed. */
export interface PlannedRun {
  /** Stable name, also the run's folder relative to the comparison folder: `fixmatch+kl/1_64/seed1`. */
  id: string;
  /** The run's folder relative to the comparison folder (POSIX separators; equal to `id`). */
  dir: string;
  method: string;
  variant: string;
  split: string;
  seed: number;
  /** The complete, validated run config of this run. */
  config: RunConfig;
}

/** A method + variant pair that is not run, and why. */
export interface SkippedCell {
  method: string;
  variant: string;
  reason: string;
}

/** Everything a comparison plans: the axes in order, the runs, and the cells left out. */
export interface ComparisonMatrix {
  name?: string;
  methods: string[];
  variants: string[];
  /** The variant the others are compared with (no regularizer); null when every variant has one. */
  baselineVariant: string | null;
  /** Labels of the methods with no unlabelled term (`supervisedMethods`): what the others must beat to learn. */
  supervisedMethods: string[];
  splits: string[];
  seeds: number[];
  runs: PlannedRun[];
  skipped: SkippedCell[];
}

export function runId(method: string, variant: string, split: string, seed: number): string {
  return `${method}+${variant}/${split}/seed${seed}`;
}

/**
 * Expands a compare config into its runs, ordered method, variant, split, seed (the order of the
 * file). A method listed in `supervisedMethods` has no unlabelled term, so it runs only with
 * variants whose regularizer list is empty.
 */
export function expandMatrix(compare: CompareConfig): ComparisonMatrix {
  const { base } = compare;
  const methods = (compare.methods ?? [base.method]).map((m) => {
    const { label: _label, ...method } = m as ComponentConfig & { label?: string };
    return { label: methodLabel(m as ComponentConfig & { label?: string }), method: method as ComponentConfig };
  });
  const variantLists: Record<string, ComponentConfig[]> =
    compare.variants ?? { [base.regularizers.length ? 'base' : 'none']: base.regularizers };
  const variants = Object.keys(variantLists);
  const baselineVariant = compare.baselineVariant ?? variants.find((v) => variantLists[v].length === 0) ?? null;
  const splits = compare.splits ?? [String(base.data.split)];
  const seeds = compare.seeds ?? [base.train.seed];

  const runs: PlannedRun[] = [];
  const skipped: SkippedCell[] = [];
  for (const { label: method, method: methodConfig } of methods) {
    for (const variant of variants) {
      const regularizers = variantLists[variant];
      if (regularizers.length > 0 && compare.supervisedMethods.includes(methodConfig.type)) {
        skipped.push({ method, variant, reason: `${methodConfig.type} has no unlabelled term for a regularizer to act on` });
        continue;
      }
      for (const split of splits) {
        for (const seed of seeds) {
          const id = runId(method, variant, split, seed);
          const config: RunConfig = structuredClone({
            ...base,
            method: methodConfig,
            regularizers,
            data: { ...base.data, split },
            train: { ...base.train, seed },
          });
          runs.push({ id, dir: id, method, variant, split, seed, config });
        }
      }
    }
  }
  const supervisedMethods = methods.filter((m) => compare.supervisedMethods.includes(m.method.type)).map((m) => m.label);
  return {
    ...(compare.name !== undefined ? { name: compare.name } : {}),
    methods: methods.map((m) => m.label), variants, baselineVariant, supervisedMethods, splits, seeds, runs, skipped,
  };
}

/** Mean, sample standard deviation (n - 1 in the denominator; NaN for n < 2) and count. */
export interface SeedSummary {
  mean: number;
  std: number;
  n: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation: seeds are a sample of the runs one could make. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

export function summarize(values: readonly number[]): SeedSummary {
  return { mean: mean(values), std: sampleStd(values), n: values.length };
}

/** Mean of the values that are not NaN (a class absent from a run's validation set has IoU NaN). */
export function meanDefined(values: readonly number[]): number {
  return mean(values.filter((v) => !Number.isNaN(v)));
}

export interface PairedDifference {
  seed: number;
  /** treated - baseline at this seed */
  difference: number;
}

/**
 * Differences treated - baseline over the seeds both have, in seed order. Pairing by seed removes
 * what the seed fixes for both (labelled subset, initialisation), which is most of the spread.
 */
export function pairedDifferences(treated: ReadonlyMap<number, number>, baseline: ReadonlyMap<number, number>): PairedDifference[] {
  return [...treated.keys()]
    .filter((seed) => baseline.has(seed))
    .sort((a, b) => a - b)
    .map((seed) => ({ seed, difference: treated.get(seed)! - baseline.get(seed)! }));
}

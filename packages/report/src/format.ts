import type { SeedSummary } from './stats';

export const MISSING = '—';

/** `61.23 ± 1.02 (n=3)` from fractions, in percent; one seed has no spread, none has no value. */
export function formatMeanStd(s: SeedSummary, options: { signed?: boolean; digits?: number } = {}): string {
  if (s.n === 0 || !Number.isFinite(s.mean)) return MISSING;
  const digits = options.digits ?? 2;
  const value = options.signed ? formatSignedPercent(s.mean, digits) : (s.mean * 100).toFixed(digits);
  return Number.isFinite(s.std) ? `${value} ± ${(s.std * 100).toFixed(digits)} (n=${s.n})` : `${value} (n=${s.n})`;
}

/** A fraction as a percentage with its sign always written: `+0.52`, `-1.30`. */
export function formatSignedPercent(value: number, digits = 2): string {
  const text = (value * 100).toFixed(digits);
  return value >= 0 ? `+${text}` : text;
}

/** A fraction as a percentage with fixed digits; NaN or null as a dash. */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? MISSING : (value * 100).toFixed(digits);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return MISSING;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** The labelled fraction a split names: `1_64` is 1/64, `0.125` is itself; a count like `1464` has none. */
export function splitFraction(split: string): number | undefined {
  const ratio = /^(\d+)_(\d+)$/.exec(split);
  if (ratio && Number(ratio[2]) > 0) return Number(ratio[1]) / Number(ratio[2]);
  const value = Number(split);
  return split !== '' && Number.isFinite(value) && value > 0 && value <= 1 ? value : undefined;
}

/** `1_64` reads `1/64` on a plot axis; other names are shown as written. */
export function splitLabel(split: string): string {
  return /^\d+_\d+$/.test(split) ? split.replace('_', '/') : split;
}

/** Splits from fewest to most labels when every one names a fraction or a count, else as given. */
export function orderSplits(splits: readonly string[]): string[] {
  const keys = splits.map((s) => splitFraction(s) ?? (/^\d+$/.test(s) ? Number(s) : undefined));
  if (keys.some((k) => k === undefined)) return [...splits];
  return splits.map((s, i) => ({ s, k: keys[i]! })).sort((a, b) => a.k - b.k).map((x) => x.s);
}

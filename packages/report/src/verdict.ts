import { MISSING, formatSignedPercent } from './format';
import { mean, sampleStd } from './stats';
import { studentTQuantile } from './student-t';

/** Fewer paired seeds than this give no verdict: two seeds' spread says almost nothing about the next. */
export const MIN_SEEDS_FOR_VERDICT = 3;

/** The rule a paired difference is judged by, stated in every report beside its table. */
export const VERDICT_RULE =
  'the 95 % confidence interval of the mean paired difference, mean ± t(0.975, n - 1) × sd / √n, with Student\'s t and sd the ' +
  'sample standard deviation of the n differences: a gain when the whole interval lies above zero, a loss when it lies below, ' +
  `undecided when it holds zero; with n < ${MIN_SEEDS_FOR_VERDICT} seeds there is no verdict`;

export type Verdict = 'gain' | 'loss' | 'undecided';

/** A set of paired differences (treated - base, one per seed) and what the rule makes of it. */
export interface PairedVerdict {
  n: number;
  mean: number;
  sd: number;
  /** The 95 % t-interval of the mean (NaN for n < 2). */
  low: number;
  high: number;
  /** Seeds on which the treated run finished ahead (difference > 0). */
  ahead: number;
  /** null when n < MIN_SEEDS_FOR_VERDICT. */
  verdict: Verdict | null;
}

export function pairedVerdict(differences: readonly number[]): PairedVerdict {
  const n = differences.length;
  const m = mean(differences);
  const sd = sampleStd(differences);
  const halfWidth = n >= 2 ? (studentTQuantile(0.975, n - 1) * sd) / Math.sqrt(n) : NaN;
  const low = m - halfWidth;
  const high = m + halfWidth;
  const ahead = differences.filter((d) => d > 0).length;
  if (n < MIN_SEEDS_FOR_VERDICT) return { n, mean: m, sd, low, high, ahead, verdict: null };
  const verdict: Verdict = low > 0 ? 'gain' : high < 0 ? 'loss' : 'undecided';
  return { n, mean: m, sd, low, high, ahead, verdict };
}

/**
 * `+2.00 [-0.48, +4.48] (n=3, 3 of 3 ahead): undecided` from differences of fractions, in
 * percentage points: the mean, its 95 % interval, n, the seeds ahead, the verdict.
 */
export function formatPairedVerdict(v: PairedVerdict): string {
  if (v.n === 0 || !Number.isFinite(v.mean)) return MISSING;
  const counts = `(n=${v.n}, ${v.ahead} of ${v.n} ahead)`;
  if (v.verdict === null) return `${formatSignedPercent(v.mean)} ${counts}; n < ${MIN_SEEDS_FOR_VERDICT}: no verdict`;
  return `${formatSignedPercent(v.mean)} [${formatSignedPercent(v.low)}, ${formatSignedPercent(v.high)}] ${counts}: ${v.verdict}`;
}

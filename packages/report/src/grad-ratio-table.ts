import type { ReportTable } from './report-document';
import type { ComparisonSummary } from './summary';
import { splitLabel } from './format';

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The median of the values logged in the last quarter of a run's steps (at least one value). */
export function lateMedian(points: readonly { step: number; value: number }[]): number {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (!finite.length) return NaN;
  const lastStep = Math.max(...finite.map((p) => p.step));
  const late = finite.filter((p) => p.step > 0.75 * lastStep);
  return median((late.length ? late : finite).map((p) => p.value));
}

/**
 * What each regularizer's pull was, for the finished runs that logged a gradient ratio: per
 * method, variant, split and term, the median over seeds of each run's late median. Undefined
 * when no run logged one.
 */
export function gradRatioTable(summary: ComparisonSummary): ReportTable | undefined {
  const cells = new Map<string, { method: string; variant: string; split: string; term: string; values: number[] }>();
  for (const row of summary.runs) {
    for (const [term, points] of Object.entries(row.result?.gradRatios ?? {})) {
      const value = lateMedian(points);
      if (!Number.isFinite(value)) continue;
      const key = [row.method, row.variant, row.split, term].join('\u0000');
      const cell = cells.get(key) ?? cells.set(key, { method: row.method, variant: row.variant, split: row.split, term, values: [] }).get(key)!;
      cell.values.push(value);
    }
  }
  if (!cells.size) return undefined;
  return {
    header: ['method', 'variant', 'split', 'term', 'gradient ratio', 'n'],
    rows: [...cells.values()].map((c) => [c.method, c.variant, splitLabel(c.split), c.term, median(c.values).toPrecision(3), String(c.values.length)]),
    numericFrom: 4,
  };
}

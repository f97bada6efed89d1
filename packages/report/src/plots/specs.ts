import type { TopLevelSpec } from 'vega-lite';
import { orderSplits, splitFraction, splitLabel } from '../format';
import type { CurvePoint, RunResult } from '../run-folder';
import type { ComparisonSummary } from '../summary';

const FONT = 'DejaVu Sans';

/** White background and font sizes that stay readable when the PNG is shown at half its pixel size. */
export const PLOT_CONFIG = {
  background: 'white',
  padding: 12,
  config: {
    font: FONT,
    axis: { labelFontSize: 13, titleFontSize: 14, titlePadding: 8 },
    legend: { labelFontSize: 13, titleFontSize: 14, symbolStrokeWidth: 2.5, symbolSize: 300 },
    header: { labelFontSize: 14, titleFontSize: 14 },
    title: { fontSize: 16 },
    view: { stroke: '#ddd' },
  },
} as const;

/** The baseline variant draws solid; every other variant gets its own dash. */
const DASHES = [[6, 4], [2, 3], [10, 3, 2, 3], [12, 6], [4, 2, 1, 2]];
function dashScale(variants: readonly string[], baseline: string | null): { domain: string[]; range: number[][] } {
  const domain = baseline !== null && variants.includes(baseline) ? [baseline, ...variants.filter((v) => v !== baseline)] : [...variants];
  let k = 0;
  return { domain, range: domain.map((v) => (v === baseline ? [1, 0] : DASHES[k++ % DASHES.length])) };
}

function splitAxis(splits: readonly string[]): { title: string; order: string[] } {
  const ordered = orderSplits(splits);
  const fractions = ordered.every((s) => splitFraction(s) !== undefined);
  return { title: fractions ? 'labelled fraction' : 'labelled split', order: ordered.map(splitLabel) };
}

/** Final mIoU against labelled split: a line per method + variant, error bars ± one sample std over seeds. */
export function miouBySplitSpec(summary: ComparisonSummary): TopLevelSpec {
  const axis = splitAxis(summary.splits);
  const values = summary.cells
    .filter((c) => c.finalMiou.n > 0)
    .map((c) => {
      const { mean, std, n } = c.finalMiou;
      const spread = Number.isFinite(std) ? std : 0;
      return {
        method: c.method, variant: c.variant, split: splitLabel(c.split), n,
        miou: mean * 100, low: (mean - spread) * 100, high: (mean + spread) * 100,
      };
    });
  const encoding = {
    x: { field: 'split', type: 'ordinal', sort: axis.order, title: axis.title, axis: { labelAngle: 0 } },
    color: { field: 'method', type: 'nominal', title: 'method', sort: summary.methods },
    strokeDash: { field: 'variant', type: 'nominal', title: 'variant', scale: dashScale(summary.variants, summary.baselineVariant), legend: { symbolType: 'stroke' } },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...PLOT_CONFIG,
    title: 'Final mIoU against labelled split (mean ± sample std over seeds)',
    width: Math.max(320, 110 * axis.order.length),
    height: 300,
    data: { values },
    layer: [
      {
        mark: { type: 'line', point: { filled: true, size: 60 }, strokeWidth: 2.5 },
        encoding: { ...encoding, y: { field: 'miou', type: 'quantitative', title: 'final mIoU (%)', scale: { zero: false } } },
      },
      {
        mark: { type: 'errorbar', ticks: true, thickness: 1.5 },
        encoding: {
          x: encoding.x,
          color: encoding.color,
          y: { field: 'low', type: 'quantitative', title: 'final mIoU (%)' },
          y2: { field: 'high' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Bucket means so that a long run draws at most `maxPoints` loss points (the loss is noisy step to step anyway). */
export function downsampleLoss(curve: readonly CurvePoint[], maxPoints = 200): { step: number; loss: number }[] {
  const points = curve.filter((p) => p.loss !== undefined && Number.isFinite(p.loss)) as { step: number; loss: number }[];
  if (points.length <= maxPoints) return points.map(({ step, loss }) => ({ step, loss }));
  const size = Math.ceil(points.length / maxPoints);
  const out: { step: number; loss: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const bucket = points.slice(i, i + size);
    out.push({ step: bucket[bucket.length - 1].step, loss: bucket.reduce((s, p) => s + p.loss, 0) / bucket.length });
  }
  return out;
}

/**
 * Training loss (top row) and evaluation mIoU (bottom row) against step, one column per split,
 * one line per run: colour = method, dash = variant, each seed its own line.
 */
export function trainingCurvesSpec(summary: ComparisonSummary, results: readonly RunResult[]): TopLevelSpec {
  const axis = splitAxis(summary.splits);
  const loss = results.flatMap((r) => downsampleLoss(r.curve).map((p) => ({ run: r.id, method: r.method, variant: r.variant, split: splitLabel(r.split), step: p.step, loss: p.loss })));
  const miou = results.flatMap((r) =>
    r.curve.filter((p) => p.miou !== undefined && Number.isFinite(p.miou)).map((p) => ({ run: r.id, method: r.method, variant: r.variant, split: splitLabel(r.split), step: p.step, miou: p.miou! * 100 })));
  const shared = {
    color: { field: 'method', type: 'nominal', title: 'method', sort: summary.methods },
    strokeDash: { field: 'variant', type: 'nominal', title: 'variant', scale: dashScale(summary.variants, summary.baselineVariant), legend: { symbolType: 'stroke' } },
    detail: { field: 'run', type: 'nominal' },
  };
  const column = { field: 'split', type: 'ordinal', sort: axis.order, title: `${axis.title}` } as const;
  const panel = { width: 300, height: 190 };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...PLOT_CONFIG,
    title: 'Training curves (one line per run)',
    vconcat: [
      {
        data: { values: loss },
        facet: { column },
        spec: {
          ...panel,
          mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 },
          encoding: { ...shared, x: { field: 'step', type: 'quantitative', title: 'step' }, y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { zero: false } } },
        },
      },
      {
        data: { values: miou },
        facet: { column },
        spec: {
          ...panel,
          mark: { type: 'line', point: { filled: true, size: 40 }, strokeWidth: 1.5, opacity: 0.85 },
          encoding: { ...shared, x: { field: 'step', type: 'quantitative', title: 'step' }, y: { field: 'miou', type: 'quantitative', title: 'mIoU (%)', scale: { zero: false } } },
        },
      },
    ],
  } as TopLevelSpec;
}

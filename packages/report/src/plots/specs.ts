import type { TopLevelSpec } from 'vega-lite';
import { orderSplits, splitFraction, splitLabel } from '../format';
import type { ComparedRun, CurvePoint } from '../compared-run';
import type { ComparisonSummary } from '../summary';
import { bucketMeans } from './bucket-means';

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

/**
 * Final mIoU against labelled split: a line per method + variant, error bars ± one sample std over
 * seeds. Splits sit at evenly spaced positions (a split's labelled fraction doubles from one to the
 * next in the usual 1_64, 1_32, ... ladders), and the lines are dodged sideways a little so that
 * overlapping error bars stay apart.
 */
export function miouBySplitSpec(summary: ComparisonSummary): TopLevelSpec {
  const axis = splitAxis(summary.splits);
  const ordered = orderSplits(summary.splits);
  const lines = [...new Set(summary.cells.map((c) => `${c.method}\u0000${c.variant}`))];
  const dodge = (line: string) => (lines.length < 2 ? 0 : ((lines.indexOf(line) / (lines.length - 1)) - 0.5) * 0.3);
  const values = summary.cells
    .filter((c) => c.finalMiou.n > 0)
    .map((c) => {
      const { mean, std, n } = c.finalMiou;
      const spread = Number.isFinite(std) ? std : 0;
      return {
        method: c.method, variant: c.variant, split: splitLabel(c.split), n,
        x: ordered.indexOf(c.split) + dodge(`${c.method}\u0000${c.variant}`),
        miou: mean * 100, low: (mean - spread) * 100, high: (mean + spread) * 100,
      };
    });
  const x = {
    field: 'x', type: 'quantitative', title: axis.title,
    scale: { domain: [-0.5, ordered.length - 0.5], nice: false, zero: false },
    axis: { values: ordered.map((_, i) => i), labelExpr: `${JSON.stringify(axis.order)}[round(datum.value)]`, grid: false },
  };
  const color = { field: 'method', type: 'nominal', title: 'method', sort: summary.methods };
  const y = { field: 'miou', type: 'quantitative', title: 'final mIoU (%)', scale: { zero: false } };
  const tooltip = [{ field: 'method' }, { field: 'variant' }, { field: 'split' }, { field: 'miou', format: '.2f' }, { field: 'n' }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...PLOT_CONFIG,
    title: 'Final mIoU against labelled split (mean ± sample std over seeds)',
    width: Math.max(360, 140 * ordered.length),
    height: 320,
    data: { values },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: {
          x, y, color,
          strokeDash: { field: 'variant', type: 'nominal', title: 'variant', scale: dashScale(summary.variants, summary.baselineVariant), legend: { symbolType: 'stroke' } },
          detail: { field: 'variant' },
        },
      },
      { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, color, y: { ...y, field: 'low' }, y2: { field: 'high' } } },
      { mark: { type: 'tick', orient: 'horizontal', size: 8, thickness: 1.5 }, encoding: { x, color, y: { ...y, field: 'low' } } },
      { mark: { type: 'tick', orient: 'horizontal', size: 8, thickness: 1.5 }, encoding: { x, color, y: { ...y, field: 'high' } } },
      {
        mark: { type: 'point', filled: true, size: 70, opacity: 1 },
        encoding: { x, y, color, tooltip, shape: { field: 'variant', type: 'nominal', title: 'variant (marker)', sort: summary.variants } },
      },
    ],
  } as TopLevelSpec;
}

/** The run's training loss, bucket-averaged to at most `maxPoints` points. */
export function downsampleLoss(curve: readonly CurvePoint[], maxPoints = 200): { step: number; loss: number }[] {
  const points = curve.filter((p) => p.loss !== undefined).map((p) => ({ step: p.step, value: p.loss! }));
  return bucketMeans(points, maxPoints).map(({ step, value }) => ({ step, loss: value }));
}

/**
 * Training loss (top row) and evaluation mIoU (bottom row) against step, one column per split,
 * one line per run: colour = method, dash = variant, each seed its own line.
 */
export function trainingCurvesSpec(summary: ComparisonSummary, results: readonly ComparedRun[]): TopLevelSpec {
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
          layer: [
            { mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 }, encoding: { ...shared, x: { field: 'step', type: 'quantitative', title: 'step' }, y: { field: 'miou', type: 'quantitative', title: 'mIoU (%)', scale: { zero: false } } } },
            {
              mark: { type: 'point', filled: true, size: 45, opacity: 0.9 },
              encoding: {
                color: shared.color, detail: shared.detail,
                shape: { field: 'variant', type: 'nominal', title: 'variant (marker)', sort: summary.variants },
                x: { field: 'step', type: 'quantitative', title: 'step' }, y: { field: 'miou', type: 'quantitative', title: 'mIoU (%)', scale: { zero: false } },
              },
            },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

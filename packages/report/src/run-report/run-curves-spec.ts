import type { TopLevelSpec } from 'vega-lite';
import { PLOT_CONFIG } from '../plots/specs';
import { bucketMeans } from '../plots/bucket-means';
import type { SingleRun } from './read-single-run';

const PANEL = { width: 330, height: 190 };
const INDEPENDENT = { scale: { color: 'independent' } };

/** The loss terms a run logs: `loss` (the total) and `loss/<term>`. */
export function lossSeriesNames(run: SingleRun): string[] {
  return [...run.series.keys()].filter((name) => name === 'loss' || name.startsWith('loss/'));
}

/** Shares of confident pseudo-labels: the method's `confident` and each regularizer's `<name>/confident`. */
export function confidentSeriesNames(run: SingleRun): string[] {
  return [...run.series.keys()].filter((name) => name === 'confident' || name.endsWith('/confident'));
}

function lines(run: SingleRun, names: readonly string[], scale = 1): { series: string; step: number; value: number }[] {
  return names.flatMap((series) => bucketMeans(run.series.get(series) ?? []).map((p) => ({ series, step: p.step, value: p.value * scale })));
}

function linePanel(title: string, values: { series: string; step: number; value: number }[], yTitle: string, names: readonly string[], legendTitle = 'series'): object {
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  const y = { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } };
  const mark = { type: 'line', strokeWidth: 1.5, opacity: 0.9 };
  if (names.length === 1) return { ...PANEL, title, data: { values }, mark, encoding: { x, y } };
  // one legend under its own panel, lines in the order they were logged
  const legend = { orient: 'bottom', columns: 3, labelLimit: 200, title: legendTitle };
  const series = { field: 'series', type: 'nominal', sort: names, legend };
  return { ...PANEL, title, data: { values }, mark, encoding: { x, y, color: series } };
}

/**
 * One run's curves, each against step: every logged loss term (top left), the mIoU of each
 * evaluation (top right), the learning rate and the confident shares (bottom). Panels with
 * nothing logged are left out.
 */
export function runCurvesSpec(run: SingleRun): TopLevelSpec | undefined {
  const panels: object[] = [];
  const losses = lossSeriesNames(run);
  if (losses.length) panels.push(linePanel('Training loss terms', lines(run, losses), 'loss', losses, 'term'));
  if (run.evaluations.length) {
    const values = run.evaluations.filter((e) => Number.isFinite(e.miou)).map((e) => ({ step: e.step, miou: e.miou * 100 }));
    const encoding = {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'miou', type: 'quantitative', title: 'mIoU (%)', scale: { zero: false } },
    };
    panels.push({
      ...PANEL,
      title: 'Validation mIoU',
      data: { values },
      layer: [{ mark: { type: 'line', strokeWidth: 1.5 }, encoding }, { mark: { type: 'point', filled: true, size: 50 }, encoding }],
    });
  }
  if (run.series.has('lr')) panels.push(linePanel('Learning rate', lines(run, ['lr']), 'lr', ['lr']));
  const confident = confidentSeriesNames(run);
  if (confident.length) panels.push(linePanel('Confident share of pixels (%)', lines(run, confident, 100), '%', confident));
  if (!panels.length) return undefined;
  const rows: object[] = [];
  for (let i = 0; i < panels.length; i += 2) rows.push({ hconcat: panels.slice(i, i + 2), resolve: INDEPENDENT });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...PLOT_CONFIG,
    resolve: INDEPENDENT,
    vconcat: rows,
  } as TopLevelSpec;
}

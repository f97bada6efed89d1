import * as path from 'path';
import { SssegError } from '@ssseg/core';
import { readMatrixIndex } from './matrix-index';
import { runStatus, type RunStatus } from '@ssseg/core';
import { readComparedRun, type ComparedRun } from './compared-run';
import { summarizeComparison, type ComparisonSummary } from './summary';
import { reportOverview, reportSections, reportTitle, type ReportImages } from './report-document';
import { REPORT_DOCUMENT_FILES, writeReportDocument } from './write-document';
import { miouBySplitSpec, trainingCurvesSpec } from './plots/specs';
import { renderVegaLitePng } from './plots/render';
import { writeGalleryGrid } from './gallery-grid';
import { orderSplits, splitLabel } from './format';

export const REPORT_FILES = {
  ...REPORT_DOCUMENT_FILES,
  miouBySplit: 'miou-by-split.png',
  trainingCurves: 'training-curves.png',
  gallery: 'predictions.png',
} as const;

export interface WriteReportOptions {
  /**
   * Names of the classes, in label order, for the per-class table (default: the names the runs'
   * evaluations recorded, else `class 0`, `class 1`, ...).
   */
  classNames?: readonly string[];
}

export interface WrittenReport {
  markdown: string;
  html: string;
  plots: string[];
  summary: ComparisonSummary;
}

/** Reads the comparison's matrix.json and each run's folder: status, and results of the finished ones. */
export function collectRuns(outDir: string): { summary: ComparisonSummary; results: ComparedRun[] } {
  const matrix = readMatrixIndex(outDir);
  const statuses = new Map<string, RunStatus>();
  const results = new Map<string, ComparedRun>();
  for (const run of matrix.runs) {
    const dir = path.join(outDir, ...run.dir.split('/'));
    const status = runStatus(dir);
    statuses.set(run.id, status);
    if (status.state === 'done') results.set(run.id, readComparedRun(dir, run));
  }
  return { summary: summarizeComparison(matrix, statuses, results), results: [...results.values()] };
}

/**
 * Writes report.md, report.html and the plots (PNG, next to them) into the comparison folder.
 * Runs that have not finished are listed as missing; the report can be rewritten at any time.
 */
export async function writeReport(outDir: string, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const { summary, results } = collectRuns(outDir);
  if (options.classNames && summary.numClasses > 0 && options.classNames.length !== summary.numClasses) {
    throw new SssegError(`${options.classNames.length} class names given, but the runs report IoU for ${summary.numClasses} classes`, outDir);
  }
  const classNames = options.classNames ?? results.find((r) => r.classNames?.length === summary.numClasses)?.classNames;
  const plots: string[] = [];
  const images: ReportImages = {};
  if (summary.cells.some((c) => c.finalMiou.n > 0)) {
    plots.push((await renderVegaLitePng(miouBySplitSpec(summary), path.join(outDir, REPORT_FILES.miouBySplit))).file);
    images.miouBySplit = REPORT_FILES.miouBySplit;
  }
  if (results.some((r) => r.curve.length > 0)) {
    plots.push((await renderVegaLitePng(trainingCurvesSpec(summary, results), path.join(outDir, REPORT_FILES.trainingCurves))).file);
    images.trainingCurves = REPORT_FILES.trainingCurves;
  }
  const gallery = await galleryOfFirstSeed(outDir, summary);
  if (gallery) {
    plots.push(gallery.file);
    images.gallery = { src: REPORT_FILES.gallery, caption: gallery.caption };
  }
  const { markdown, html } = writeReportDocument(outDir, reportTitle(summary), reportOverview(summary), reportSections(summary, { classNames, images }));
  return { markdown, html, plots, summary };
}

/** The prediction grid of the lowest split's first seed: one column per method and variant. */
async function galleryOfFirstSeed(outDir: string, summary: ComparisonSummary): Promise<{ file: string; caption: string } | undefined> {
  const split = orderSplits(summary.splits)[0];
  const seed = summary.seeds[0];
  const runs = summary.runs.filter((r) => r.split === split && r.seed === seed && r.status.state === 'done');
  const matrix = readMatrixIndex(outDir);
  const columns = runs.map((r) => ({ label: `${r.method} + ${r.variant}`, runDir: path.join(outDir, ...matrix.runs.find((p) => p.id === r.id)!.dir.split('/')) }));
  const written = await writeGalleryGrid(columns, path.join(outDir, REPORT_FILES.gallery));
  if (!written) return undefined;
  const steps = [...new Set(written.steps)];
  return {
    file: written.file,
    caption: `Validation images, their ground truth, and each finished run's predicted mask at its last evaluation (step ${steps.join(', ')}), split ${splitLabel(split)}, seed ${seed}. Colours follow the dataset's palette (black: background).`,
  };
}

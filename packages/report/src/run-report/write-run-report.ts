import * as path from 'path';
import { FolderLockedError, SssegError, lockFolder } from '@ssseg/core';
import { REPORT_DOCUMENT_FILES, writeReportDocument } from '../write-document';
import { renderVegaLitePng } from '../plots/render';
import { writeGalleryGrid } from '../gallery-grid';
import { readSingleRun, type SingleRun } from './read-single-run';
import { runCurvesSpec } from './run-curves-spec';
import { runReportOverview, runReportSections, runReportTitle, type RunReportImages } from './run-report-document';

export const RUN_REPORT_FILES = {
  ...REPORT_DOCUMENT_FILES,
  curves: 'run-curves.png',
  gallery: 'predictions.png',
} as const;

export interface WrittenRunReport {
  markdown: string;
  html: string;
  plots: string[];
  run: SingleRun;
}

/**
 * Writes report.md, report.html and their images for one run (finished, stopped or failed) into
 * `out` (default: the run's folder). The folder written is locked while writing: a run still
 * training holds its own folder, so its report goes elsewhere (`out`) until it ends.
 */
export async function writeRunReport(runDir: string, out: string = runDir): Promise<WrittenRunReport> {
  const run = readSingleRun(runDir);
  let lock;
  try {
    lock = lockFolder(out, 'ssseg report');
  } catch (err) {
    if (err instanceof FolderLockedError && path.resolve(out) === path.resolve(runDir)) {
      throw new SssegError(`${err.message}; the run is still being written: give the report another folder (--out DIR)`, runDir);
    }
    throw err;
  }
  try {
    const plots: string[] = [];
    const images: RunReportImages = {};
    const spec = runCurvesSpec(run);
    if (spec) {
      plots.push((await renderVegaLitePng(spec, path.join(out, RUN_REPORT_FILES.curves))).file);
      images.curves = RUN_REPORT_FILES.curves;
    }
    const label = `prediction: ${[run.method.type, ...run.regularizers.map((r) => r.type)].join(' + ')}`;
    const gallery = await writeGalleryGrid([{ label, runDir }], path.join(out, RUN_REPORT_FILES.gallery), 8);
    if (gallery) {
      plots.push(gallery.file);
      images.gallery = {
        src: RUN_REPORT_FILES.gallery,
        caption: `Validation images, their ground truth and the run's predicted mask at its last evaluation (step ${gallery.steps.join(', ')}). Colours follow the dataset's palette (black: background).`,
      };
    }
    const { markdown, html } = writeReportDocument(out, runReportTitle(run), runReportOverview(run), runReportSections(run, images));
    return { markdown, html, plots, run };
  } finally {
    lock.release();
  }
}

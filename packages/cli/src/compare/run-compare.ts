import * as path from 'path';
import { isRunDone, lockFolder, type ConfigOverrideOptions, type PluginHost } from '@ssseg/core';
import { expandMatrix, loadCompareConfig, writeMatrixIndex, writeReport, type ComparisonMatrix } from '@ssseg/report';
import { Runner, bar, checkRunConfigs, checkRunMemory, formatSeconds, matrixEta, runDataLoader } from '@ssseg/runner';
import { createCliHost } from '../cli-host';

export interface CompareOptions {
  file: string;
  outDir: string;
  quiet?: boolean;
  /** Override every run's train.maxSteps (quick looks at a matrix). */
  maxSteps?: number;
  /** Override the engine backend of every run. */
  backend?: string;
  /** The command line's `--set`, `--seed`, `--threads` for the compare file. */
  overrides?: ConfigOverrideOptions;
}

export interface CompareResult {
  outDir: string;
  ran: string[];
  skipped: string[];
  failed: string[];
  /** The signal that stopped the matrix (its current run wrote a checkpoint); no report then. */
  interrupted?: string;
  report: { markdown: string; html: string; plots: string[] };
}

/**
 * The compare file's matrix with every run's config checked as its run will check it, and a
 * plugin host with the plugins its runs name.
 */
export function checkedMatrix(file: string, overrides?: ConfigOverrideOptions): { matrix: ComparisonMatrix; host: PluginHost } {
  const matrix = expandMatrix(loadCompareConfig(file, overrides));
  const host = createCliHost({ plugins: [...new Set(matrix.runs.flatMap((r) => r.config.plugins))] });
  checkRunConfigs(host, matrix.runs, file);
  return { matrix, host };
}

/**
 * Runs a comparison matrix one run after another, each in its own folder. Finished runs (DONE)
 * are not redone and interrupted ones resume from their last checkpoint, so re-running the same
 * command continues the matrix. Writes the report when the matrix ends. One process at a time
 * writes a comparison folder (it is locked, as each run's folder is); Ctrl-C or SIGTERM stops
 * the matrix once the current run has written its checkpoint.
 */
export async function runCompare(options: CompareOptions): Promise<CompareResult> {
  const { matrix, host } = checkedMatrix(options.file, options.overrides);
  for (const run of matrix.runs) {
    if (options.maxSteps) run.config.train.maxSteps = options.maxSteps;
    if (options.backend && options.backend !== 'auto') run.config.engine.backend = options.backend;
  }
  // every run's memory before the first trains: a matrix is not refused hours in
  for (const run of matrix.runs) {
    if (!isRunDone(path.join(options.outDir, run.dir))) await checkRunMemory(run.config, { host, source: `${options.file}: ${run.id}` });
  }
  const lock = lockFolder(options.outDir, 'ssseg compare', { onTakeOver: (message) => process.stderr.write(`${message}\n`) });
  try {
    return await compareLocked(options, matrix, host);
  } finally {
    lock.release();
  }
}

async function compareLocked(options: CompareOptions, matrix: ComparisonMatrix, host: PluginHost): Promise<CompareResult> {
  writeMatrixIndex(options.outDir, matrix);
  const started = Date.now();
  const result: CompareResult = { outDir: options.outDir, ran: [], skipped: [], failed: [], report: { markdown: '', html: '', plots: [] } };
  let classNames: readonly string[] | undefined;
  const trainedSeconds: number[] = [];
  for (const [i, run] of matrix.runs.entries()) {
    const dir = path.join(options.outDir, run.dir);
    const label = `[${i + 1}/${matrix.runs.length}] ${run.id}`;
    if (isRunDone(dir)) {
      result.skipped.push(run.id);
      continue;
    }
    if (!options.quiet) {
      const elapsed = (Date.now() - started) / 1000;
      const left = matrixEta(trainedSeconds, matrix.runs.slice(i).filter((r) => !isRunDone(path.join(options.outDir, r.dir))).length);
      const eta = left === undefined ? '' : `, about ${formatSeconds(left)} left`;
      process.stderr.write(`matrix ${bar(i / matrix.runs.length)} ${i}/${matrix.runs.length} done, ${formatSeconds(elapsed)} elapsed${eta}: starting ${run.id}\n`);
    }
    const runStarted = Date.now();
    const outcome = await Runner.fromConfig(run.config, {
      source: `${options.file}: ${run.id}`,
      out: dir,
      existing: 'resume-if-checkpoint',
      host,
      createLoader: (assembled) => {
        classNames ??= assembled.dataset.classNames;
        return runDataLoader(host)(assembled);
      },
      label,
      quiet: options.quiet,
      stopOnSignals: true,
      lockPurpose: 'ssseg compare',
    }).run();
    if (outcome.interrupted) return { ...result, interrupted: outcome.interrupted };
    trainedSeconds.push((Date.now() - runStarted) / 1000);
    (outcome.failed ? result.failed : result.ran).push(run.id);
  }
  const report = await writeReport(options.outDir, { classNames: classNames ? [...classNames] : undefined });
  result.report = { markdown: report.markdown, html: report.html, plots: report.plots };
  return result;
}

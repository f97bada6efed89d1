import * as fs from 'fs';
import * as path from 'path';
import {
  expandMatrix, loadCompareConfig, readMatrixIndex, writeMatrixIndex, writeReport, type ComparisonMatrix, type PlannedRun, type WrittenReport,
} from '@ssseg/report';
import { DEFAULT_QUEUE_NAME, jobIdFor, type RunJob } from './run-job';
import { checkRedis, connectionOptions } from './redis-url';
import { RunQueue } from './payload';
import { runFolderState } from './run-folder-state';
import { RUN_FILES, isRunDone, lastLoggedStep, type ConfigOverrideOptions } from '@ssseg/core';

/** How a run's job is retried. */
export interface RetryOptions {
  /** Tries per run before it fails (a retry resumes from the run's last checkpoint). */
  attempts?: number;
  /** First retry delay (ms); each further retry waits twice as long. */
  backoffMs?: number;
}

export interface EnqueueOptions extends RetryOptions {
  /** The compare file (YAML or JSON). */
  file: string;
  /** The comparison folder, on storage every worker sees at the same path. */
  outDir: string;
  queueUrl: string;
  queueName?: string;
  /** Override every run's train.maxSteps. */
  maxSteps?: number;
  /** Override every run's engine backend. */
  backend?: string;
  /** The command line's `--set`, `--seed`, `--threads` for the compare file. */
  overrides?: ConfigOverrideOptions;
}

export interface EnqueueResult {
  outDir: string;
  matrix: ComparisonMatrix;
  enqueued: string[];
  alreadyQueued: string[];
  done: string[];
}

const PENDING_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** The compare file's runs, with the command line's step cap and backend: read and checked, nothing written. */
export function plannedMatrix(options: Pick<EnqueueOptions, 'file' | 'overrides' | 'maxSteps' | 'backend'>): ComparisonMatrix {
  const matrix = expandMatrix(loadCompareConfig(options.file, options.overrides));
  for (const run of matrix.runs) {
    if (options.maxSteps) run.config.train.maxSteps = options.maxSteps;
    if (options.backend && options.backend !== 'auto') run.config.engine.backend = options.backend;
  }
  return matrix;
}

/**
 * Writes the comparison's matrix.json and queues one job per run that is neither DONE nor already
 * queued (the job id is the folder's hash and the run id, so enqueueing twice adds nothing). A run
 * whose job failed or completed without DONE is queued afresh.
 */
export async function enqueueMatrix(options: EnqueueOptions, matrix = plannedMatrix(options)): Promise<EnqueueResult> {
  const outDir = path.resolve(options.outDir);
  await checkRedis(options.queueUrl);
  fs.mkdirSync(outDir, { recursive: true });
  writeMatrixIndex(outDir, matrix);
  const queue = new RunQueue(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: connectionOptions(options.queueUrl) });
  const result: EnqueueResult = { outDir, matrix, enqueued: [], alreadyQueued: [], done: [] };
  try {
    for (const run of matrix.runs) {
      const dir = path.join(outDir, run.dir);
      if (isRunDone(dir)) {
        result.done.push(run.id);
        continue;
      }
      const jobId = jobIdFor(outDir, run.id);
      const existing = await queue.getJob(jobId);
      if (existing) {
        const state = await existing.getState();
        if (PENDING_STATES.has(state)) {
          result.alreadyQueued.push(run.id);
          continue;
        }
        await existing.remove();
      }
      await queueRun(queue, outDir, run, options);
      result.enqueued.push(run.id);
    }
  } finally {
    await queue.close();
  }
  return result;
}

/** Adds the job of one run of the comparison in `outDir` (a no-op when a job of its id exists). */
async function queueRun(queue: RunQueue, outDir: string, run: PlannedRun, retry: RetryOptions): Promise<void> {
  const data: RunJob = { runId: run.id, dir: path.join(outDir, run.dir), config: run.config };
  await queue.add('run', data, {
    jobId: jobIdFor(outDir, run.id),
    attempts: retry.attempts ?? 3,
    backoff: { type: 'exponential', delay: retry.backoffMs ?? 5000 },
  });
}

export interface MatrixProgress {
  total: number;
  done: number;
  active: number;
  waiting: number;
  failed: number;
  /** Step and total of each active run, as its worker last reported. */
  running: { id: string; step: number; total: number | null }[];
  /**
   * Runs of other comparisons waiting in the same queue (a killed `compare --queue` leaves its
   * runs there): workers train them too, before or between this matrix's runs.
   */
  otherWaiting: number;
}

export interface WaitOptions extends RetryOptions {
  outDir: string;
  queueUrl: string;
  queueName?: string;
  /** How often the queue is read (ms). */
  pollMs?: number;
  /** Called on each poll; by default a line on stderr when the counts change. */
  onProgress?: (progress: MatrixProgress) => void;
  quiet?: boolean;
}

export interface WaitResult {
  progress: MatrixProgress;
  failed: { id: string; reason: string }[];
  report: WrittenReport;
}

/**
 * Follows the queued matrix of `outDir/matrix.json` until every run is DONE or its job failed
 * for good, then writes the report as a local compare does. The run folders are the truth where
 * Redis lost track (restarted without persistence, a job removed): a run with DONE is done, one
 * whose LOCK is live is being trained (active), and one with neither and no job is queued again,
 * with a message.
 */
export async function waitForMatrix(options: WaitOptions): Promise<WaitResult> {
  const outDir = path.resolve(options.outDir);
  const matrix = readMatrixIndex(outDir);
  const queue = new RunQueue(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: connectionOptions(options.queueUrl) });
  let shown = '';
  // runs whose job was in no list on the last poll
  const unseen = new Set<string>();
  const say = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  const show = options.onProgress ?? ((p: MatrixProgress) => {
    const others = p.otherWaiting
      ? ` (and ${p.otherWaiting} of other comparisons in the queue: 'ssseg queue status' lists them, 'ssseg queue clear --out DIR' removes them)`
      : '';
    const line = `matrix: ${p.done}/${p.total} done, ${p.active} active, ${p.waiting} waiting${others}, ${p.failed} failed` +
      p.running.map((r) => ` | ${r.id} ${r.step}/${r.total ?? '?'}`).join('');
    if (line !== shown) say(line);
    shown = line;
  });
  try {
    for (;;) {
      const progress: MatrixProgress = { total: matrix.runs.length, done: 0, active: 0, waiting: 0, failed: 0, running: [], otherWaiting: 0 };
      const failed: { id: string; reason: string }[] = [];
      for (const run of matrix.runs) {
        const dir = path.join(outDir, run.dir);
        if (isRunDone(dir)) {
          progress.done++;
          continue;
        }
        const job = await queue.getJob(jobIdFor(outDir, run.id));
        const state = job ? await job.getState() : 'missing';
        // read after the job: a worker writes DONE, then releases LOCK, then completes the job
        const folder = runFolderState(dir);
        const inNoList = state === 'missing' || state === 'unknown';
        if (!inNoList || folder.kind !== 'idle') unseen.delete(run.id);
        if (folder.kind === 'done') {
          progress.done++;
        } else if (state === 'active' || folder.kind === 'training') {
          // a worker trains it, whether or not Redis still knows (a worker keeps training through a Redis restart)
          progress.active++;
          const p = job?.progress as { step?: number; total?: number | null } | undefined;
          const step = p?.step ?? lastLoggedStep(path.join(dir, RUN_FILES.metrics)) ?? 0;
          progress.running.push({ id: run.id, step, total: p?.total ?? null });
        } else if (state === 'failed') {
          progress.failed++;
          failed.push({ id: run.id, reason: job?.failedReason ?? `failed in queue ${queue.name}` });
        } else if (inNoList && unseen.has(run.id)) {
          // in no list on two polls in a row, and no worker holds its folder: lost (a Redis restarted
          // without persistence, a job removed). One poll is not enough: under load a follower once
          // read a job that a worker was failing as in no list
          unseen.delete(run.id);
          await queueRun(queue, outDir, run, options);
          say(`matrix: ${run.id} was in no list of queue ${queue.name} and no worker holds its folder (Redis restarted without persistence, or its job was removed): queued again`);
          progress.waiting++;
        } else if (inNoList) {
          unseen.add(run.id);
          progress.waiting++;
        } else if (state === 'completed') {
          progress.failed++;
          failed.push({ id: run.id, reason: 'job completed but the run folder has no DONE' });
        } else {
          progress.waiting++;
        }
      }
      const queued = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
      progress.otherWaiting = Math.max(0, (queued.waiting ?? 0) + (queued.delayed ?? 0) + (queued.prioritized ?? 0) - progress.waiting);
      show(progress);
      if (progress.done + progress.failed === progress.total) {
        const report = await writeReport(outDir);
        return { progress, failed, report };
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
    }
  } finally {
    await queue.close();
  }
}

import * as path from 'path';
import { DelayedError, UnrecoverableError, type Job, type Worker } from 'bullmq';
import { FolderLockedError, HookPriority, RUN_FILES, isRunDone, lastLoggedStep, type Hook, type PluginHost, type RunLoaderFactory, type SssegPlugin } from '@ssseg/core';
import { CannotResumeError, Runner, createHost, type RunResult } from '@ssseg/runner';
import { DEFAULT_QUEUE_NAME, RunJobError, parseRunJob, type RunJob } from './run-job';
import { checkRedis, connectionOptions } from './redis-url';
import { ProgressReportSink, type JobProgress } from './progress-report-sink';
import { RunWorker } from './payload';
import { readFinishedRun } from './finished-run';

export interface WorkerOptions {
  queueUrl: string;
  queueName?: string;
  /** Runs trained at once by this process (they share its cores). */
  concurrency?: number;
  /** How long a job stays locked without a renewal before it counts as stalled (ms). */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs (ms). */
  stalledInterval?: number;
  /** How many times a job may stall (its worker died) before it fails. */
  maxStalledCount?: number;
  /** Folder from which plugin packages are resolved (default: the working directory). */
  cwd?: string;
  /** Plugins linked into this worker program (not named by jobs), e.g. test fixtures. */
  plugins?: SssegPlugin[];
  /** The run's data loader; default: the runner's (as a local run uses). */
  createLoader?: (host: PluginHost) => RunLoaderFactory;
  /** The least time between two progress reports of a run (ms). */
  progressInterval?: number;
  /** When a job's run folder is locked by another process, retry the job after this long (ms). */
  busyRetryMs?: number;
  quiet?: boolean;
  /**
   * Read after every step: when it returns true the run under way stops, writes its checkpoint and
   * goes back to the queue without spending an attempt (a second SIGTERM to `ssseg worker`).
   */
  stopRequested?: () => boolean;
}

/** The run stopped on request after writing its checkpoint; its job goes back to the queue. */
export class RunStoppedError extends Error {}

export interface RunJobResult {
  runId: string;
  steps: number;
  finalMiou: number | null;
  bestMiou: number | null;
  /** Whether this attempt continued from a checkpoint an earlier attempt left. */
  resumed: boolean;
  /** The last step an earlier attempt logged (it may run past its checkpoint), when resumed. */
  stepBeforeResume: number | null;
  /** True when DONE was already there (a worker finished the run but died before reporting). */
  alreadyDone: boolean;
}

/** A plugin host with the config's plugins, resolved among installed packages only. */
function hostFor(job: RunJob, options: WorkerOptions): PluginHost {
  try {
    const host = createHost({ cwd: options.cwd, plugins: [] });
    for (const plugin of options.plugins ?? []) host.load(plugin);
    for (const name of job.config.plugins) host.loadByName(name, options.cwd ?? process.cwd());
    return host;
  } catch (error) {
    throw new RunJobError(`job ${job.runId}: ${(error as Error).message}`);
  }
}

/**
 * Trains one job's run: the same Runner as a local compare, resuming from the run folder's
 * last.ckpt when an earlier attempt (a failed or killed worker) left one. A run folder another
 * process holds (its lock) makes this throw FolderLockedError, naming that process.
 */
export async function processRunJob(
  data: unknown, jobId: string, options: WorkerOptions, report: (p: JobProgress) => Promise<void> = async () => undefined,
): Promise<RunJobResult> {
  let job: RunJob;
  let host: PluginHost;
  try {
    job = parseRunJob(data, jobId);
    host = hostFor(job, options);
  } catch (error) {
    // retrying cannot fix a bad payload or a missing plugin
    throw new UnrecoverableError((error as Error).message);
  }
  if (isRunDone(job.dir)) {
    const marker = readFinishedRun(job.dir);
    return { runId: job.runId, steps: marker.steps, finalMiou: marker.finalMiou, bestMiou: marker.bestMiou, resumed: false, stepBeforeResume: null, alreadyDone: true };
  }
  const stepBeforeResume = lastLoggedStep(path.join(job.dir, RUN_FILES.metrics));
  const outcome = await trainRun(job, jobId, host, options, report);
  if (outcome.interrupted) throw new RunStoppedError(`${job.runId} stopped after step ${outcome.steps}, checkpoint written`);
  if (outcome.failed) throw new UnrecoverableError(`run ${job.runId} failed: ${outcome.stoppedBecause ?? 'unknown reason'}`);
  await report({ step: outcome.steps, total: outcome.steps }).catch(() => undefined);
  const resumed = outcome.resumedFrom !== null;
  return {
    runId: job.runId, steps: outcome.steps, finalMiou: outcome.finalMiou, bestMiou: outcome.bestMiou, resumed,
    stepBeforeResume: resumed ? stepBeforeResume : null, alreadyDone: false,
  };
}

/** Stops the run after the step under way when asked; the runner then writes the checkpoint. */
function stopRequestHook(stopRequested: () => boolean): Hook {
  return {
    type: 'stop-request',
    priority: HookPriority.HIGHEST,
    afterStep: (ctx) => {
      if (!stopRequested()) return;
      ctx.state.interrupted = 'stop requested';
      ctx.stop(`stopped on request after step ${ctx.step}`);
    },
  };
}

/**
 * BullMQ's words for a job Redis lost track of, with what it means here: the run goes on, and its
 * folder (DONE, LOCK) is what `compare --queue` and the next worker go by.
 */
function explainWorkerError(message: string): string {
  if (/^could not renew lock for job /.test(message)) {
    return `${message}: Redis restarted or this worker was paused past --lock-duration; the run goes on (its folder's LOCK keeps other workers off it)`;
  }
  if (/^Missing (key|lock) for job /.test(message)) {
    return `${message}: Redis no longer holds this job as this worker's (restarted, or handed on); the run folder keeps what it did (DONE when it finished)`;
  }
  return message;
}

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** A BullMQ worker that trains the runs of the queue; failed runs retry with the job's attempts/backoff. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  await checkRedis(options.queueUrl);
  const worker = new RunWorker(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (job: Job, token?: string) => {
      try {
        return await processRunJob(job.data, String(job.id), options, (progress) => job.updateProgress({ ...progress }));
      } catch (error) {
        if (error instanceof RunStoppedError && token) {
          // back to the queue at once, without spending an attempt: the next worker resumes it
          if (!options.quiet) process.stderr.write(`worker: ${error.message}; it goes back to the queue\n`);
          await job.moveToDelayed(Date.now(), token);
          throw new DelayedError();
        }
        if (!(error instanceof FolderLockedError) || !token) throw error;
        // another process trains this run (e.g. a worker whose queue lock expired while it kept
        // training): try again later, without spending an attempt; by then DONE may be there
        if (!options.quiet) process.stderr.write(`worker: ${job.id} waits: ${error.message}\n`);
        await job.moveToDelayed(Date.now() + (options.busyRetryMs ?? 30_000), token);
        throw new DelayedError();
      }
    },
    {
      connection: connectionOptions(options.queueUrl),
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDuration ?? 60_000,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 3,
      autorun: true,
    },
  );
  worker.on('error', (error) => {
    if (!options.quiet) process.stderr.write(`worker: ${explainWorkerError(error.message)}\n`);
  });
  if (!options.quiet) {
    worker.on('active', (job) => process.stderr.write(`worker: started ${job.id} (attempt ${job.attemptsMade + 1})\n`));
    worker.on('completed', (job) => process.stderr.write(`worker: finished ${job.id}\n`));
    worker.on('failed', (job, error) => process.stderr.write(`worker: ${job?.id ?? '?'} failed: ${error.message}\n`));
  }
  await worker.waitUntilReady();
  return { worker, close: () => worker.close() };
}

/** The job's run through the runner; a checkpoint that cannot load fails the job at once (a retry would meet it again). */
async function trainRun(
  job: RunJob, jobId: string, host: PluginHost, options: WorkerOptions, report: (p: JobProgress) => Promise<void>,
): Promise<RunResult> {
  try {
    return await Runner.fromConfig(job.config, {
      source: `job ${job.runId}`,
      out: job.dir,
      existing: 'resume-if-checkpoint',
      lockPurpose: `ssseg worker, job ${jobId}`,
      host,
      createLoader: options.createLoader?.(host),
      progressSinks: [new ProgressReportSink(report, options.progressInterval ?? 2000)],
      hooks: options.stopRequested ? [stopRequestHook(options.stopRequested)] : [],
      label: job.runId,
      quiet: options.quiet ?? true,
    }).run();
  } catch (error) {
    if (error instanceof CannotResumeError) throw new UnrecoverableError(`job ${job.runId}: ${error.message}`);
    throw error;
  }
}

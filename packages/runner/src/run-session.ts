import type { ServiceIdentifier } from 'inversify';
import type { AssembledRun, MetricsWriter, RunConfig, RunLoader } from '@ssseg/core';
import { type CheckpointParts } from './checkpoint';

/** What a run has measured and written so far; the evaluation and checkpoint hooks keep it. */
export interface RunRecord {
  bestMiou: number | null;
  /** mIoU of the last evaluation. */
  finalMiou: number | null;
  /** An evaluation beat the best since the last checkpoint: best.ckpt is due. */
  improvedSinceCheckpoint: boolean;
  /** The step of the last checkpoint (the resumed step, or -1 before the first). */
  checkpointedAt: number;
  /** The newest checkpoint on disk, or null if none was written. */
  lastCheckpoint: string | null;
}

/** How the caller wants a run shown and stopped (Runner options the runner's own hooks read). */
export interface RunPresentation {
  /** Prefix of progress lines on stderr. */
  label: string;
  quiet: boolean;
  /** On SIGINT/SIGTERM, finish the step, write the checkpoint and stop. */
  stopOnSignals: boolean;
  /** Stop (as an interruption would) after this many optimizer steps. */
  stopAfterSteps?: number;
}

/**
 * One run as its hooks see it, bound in the run's container: the runner's own hooks (contributed
 * in plugin.ts) inject it. Plugins' hooks inject core's run services instead (RunFolder, RunConfig...).
 */
export interface RunSession {
  readonly config: RunConfig;
  /** Where the config came from, for messages. */
  readonly source: string;
  readonly outDir: string;
  readonly run: AssembledRun;
  readonly loader: RunLoader;
  readonly metrics: MetricsWriter;
  /** Student, EMA teacher and optimizer: what a checkpoint holds. */
  readonly parts: CheckpointParts;
  /** The step this run continued from, or null for a new run. */
  readonly resumedAt: number | null;
  readonly presentation: RunPresentation;
  readonly record: RunRecord;
}
export const RunSession: ServiceIdentifier<RunSession> = Symbol.for('ssseg.runner.RunSession');

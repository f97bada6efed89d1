import type { ServiceIdentifier } from 'inversify';
import type { AssembledRun, MetricsWriter, RunConfig, RunLoader, RunState } from '@ssseg/core';
import { type CheckpointParts } from './checkpoint';
import type { ProgressSink } from './hooks/progress-sink';

/** How the caller wants a run shown and stopped (Runner options the runner's own hooks read). */
export interface RunPresentation {
  /** Prefix of progress lines on stderr. */
  label: string;
  quiet: boolean;
  /** On SIGINT/SIGTERM, finish the step, write the checkpoint and stop. */
  stopOnSignals: boolean;
  /** Stop (as an interruption would) after this many optimizer steps. */
  stopAfterSteps?: number;
  /** Where the progress hook reports besides the terminal line (the queue's progress reports). */
  progressSinks: readonly ProgressSink[];
}

/**
 * One run as its hooks see it, bound in the run's container: the runner's own hooks (provided
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
  /** The state the hooks share, also their ctx.state. */
  readonly state: RunState;
}
export const RunSession: ServiceIdentifier<RunSession> = Symbol.for('ssseg.runner.RunSession');

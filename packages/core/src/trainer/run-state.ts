import type { EvaluationRecord } from '../tokens';

/** A run's training time, summed over every process that trained it. */
export interface RunClock {
  /** Seconds the run trained before this process: the time up to its last checkpoint (0 for a new run). */
  secondsBefore: number;
  /** When this process started the run (ms since the epoch). */
  startedAt: number;
}

/** Seconds the run has trained so far: its time before this process and this process's time. */
export function trainedSeconds(clock: RunClock, now = Date.now()): number {
  return clock.secondsBefore + (now - clock.startedAt) / 1000;
}

/**
 * What a run's hooks share, typed (ctx.state): each field is written by one party, named here,
 * and read by the others.
 */
export interface RunState {
  /** The last evaluation (the evaluation hook), for the hooks after it: gallery, TensorBoard. */
  evaluation?: EvaluationRecord;
  /** The best mIoU so far, kept across a resume (the evaluation hook). */
  bestMiou: number | null;
  /** mIoU of the last evaluation (the evaluation hook). */
  finalMiou: number | null;
  /** An evaluation beat the best since the last checkpoint: best.ckpt is due (evaluation sets, checkpoint clears). */
  improvedSinceCheckpoint: boolean;
  /** The step of the last checkpoint written: the resumed step, or -1 before the first (the checkpoint hook). */
  checkpointedAt: number;
  /** The newest checkpoint on disk, or null if none was written (the checkpoint hook). */
  lastCheckpoint: string | null;
  /**
   * What stopped the run early so that it can go on: a signal, 'stopAfterSteps', 'stop requested'
   * (the hook that stopped it). Its checkpoint is written; DONE is not.
   */
  interrupted?: string;
  /** Why the checkpoint was not written: the state stopped being finite (the checkpoint hook). */
  diverged?: string;
  /** A non-finite loss ended the run (the trainer, before afterRun). */
  failed: boolean;
  /** The run's training time (the runner; a checkpoint carries it on). */
  clock: RunClock;
}

/** The state of a run that has done nothing yet, with `init`'s fields. */
export function createRunState(init: Partial<RunState> = {}): RunState {
  return {
    bestMiou: null, finalMiou: null, improvedSinceCheckpoint: false, checkpointedAt: -1, lastCheckpoint: null, failed: false,
    clock: { secondsBefore: 0, startedAt: Date.now() },
    ...init,
  };
}

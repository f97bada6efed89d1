/** Where a run stands, as the progress hook reports it after each step. */
export interface RunProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Loss terms and statistics of the last step (empty at the start). */
  logs: Record<string, number>;
  /** Seconds the run has trained, summed over every process that trained it. */
  trainedSeconds: number;
  /** Seconds left at this process's pace (steps trained here, time taken here); null before its first step. */
  secondsLeft: number | null;
}

/**
 * One output of the progress hook: the terminal line, the queue's report to Redis. The hook
 * calls `start` when the run starts (at the step it resumes from), `step` after each step (and
 * waits for it), `end` when the run ends; a sink throttles itself.
 */
export interface ProgressSink {
  start?(progress: RunProgress): void;
  step(progress: RunProgress): void | Promise<void>;
  end?(): void;
}

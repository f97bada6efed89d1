import type { ProgressSink, RunProgress } from '@ssseg/runner';

/** A job's progress as the queue keeps it in Redis. */
export interface JobProgress {
  step: number;
  total: number | null;
}

/**
 * The run's progress hook reporting a job's progress to the queue (at most every `intervalMs`,
 * and at its start), and letting timers run after each step: a step is synchronous work, and
 * without a macrotask turn BullMQ could not renew the job's lock (the job would look stalled while it runs).
 */
export class ProgressReportSink implements ProgressSink {
  private reportedAt = -Infinity;

  constructor(private readonly report: (progress: JobProgress) => Promise<void>, private readonly intervalMs: number) {}

  start(progress: RunProgress): void {
    this.send(progress);
  }

  async step(progress: RunProgress): Promise<void> {
    if (Date.now() - this.reportedAt >= this.intervalMs) this.send(progress);
    await new Promise((resolve) => setImmediate(resolve));
  }

  private send(progress: RunProgress): void {
    this.reportedAt = Date.now();
    // a report that does not reach Redis is not worth failing a run for: the next one will say more
    void this.report({ step: progress.step, total: progress.totalSteps }).catch(() => undefined);
  }
}

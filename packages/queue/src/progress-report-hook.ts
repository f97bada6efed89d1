import { HookPriority, type Hook, type HookContext } from '@ssseg/core';

export interface RunProgress {
  step: number;
  total: number | null;
}

/**
 * Reports a job's progress to the queue as the run trains (at most every `intervalMs`, and at
 * its start), and lets timers run after each step: a step is synchronous work, and without a
 * macrotask turn BullMQ could not renew the job's lock (the job would look stalled while it runs).
 */
export class ProgressReportHook implements Hook {
  readonly type = 'queue-progress';
  readonly priority = HookPriority.BELOW_NORMAL;
  private reportedAt = -Infinity;

  constructor(private readonly report: (progress: RunProgress) => Promise<void>, private readonly intervalMs: number) {}

  beforeRun(ctx: HookContext): void {
    this.send(ctx);
  }

  async afterStep(ctx: HookContext): Promise<void> {
    if (Date.now() - this.reportedAt >= this.intervalMs) this.send(ctx);
    await new Promise((resolve) => setImmediate(resolve));
  }

  private send(ctx: HookContext): void {
    this.reportedAt = Date.now();
    // a report that does not reach Redis is not worth failing a run for: the next one will say more
    void this.report({ step: ctx.step, total: ctx.totalSteps }).catch(() => undefined);
  }
}

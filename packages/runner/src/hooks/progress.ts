import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, HookPriority, componentType, trainedSeconds, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';
import { ProgressLine } from './progress-line';
import type { ProgressSink, RunProgress } from './progress-sink';

const options = z.strictObject({
  /** Off a terminal (a log file, a pipe), a progress line at most every this many seconds. */
  everySeconds: z.number().positive().default(10),
});

/**
 * Where the run stands after each step, to every sink: the terminal line (unless the run is
 * quiet) and the caller's (the queue's report). The time left comes from this process's pace: a
 * resumed run's earlier steps took no time here.
 */
@injectable()
export class ProgressHook implements Hook {
  static readonly type = 'progress';
  static options = options;
  static summary = 'the progress line on stderr and the caller\'s progress reports (the queue\'s)';
  readonly type = componentType(this);
  readonly priority = HookPriority.BELOW_NORMAL;
  private readonly sinks: ProgressSink[];
  private startStep = 0;
  private startedAt = Date.now();

  constructor(@inject(ComponentOptions) opts: ComponentOptions<typeof ProgressHook.options>, @inject(RunSession) session: RunSession) {
    const { presentation } = session;
    const line = presentation.quiet ? [] : [new ProgressLine(presentation.label, process.stderr, opts.everySeconds * 1000)];
    this.sinks = [...line, ...presentation.progressSinks];
  }

  beforeRun(ctx: HookContext): void {
    this.startStep = ctx.step;
    this.startedAt = Date.now();
    const progress = this.progress(ctx);
    for (const sink of this.sinks) sink.start?.(progress);
  }

  async afterStep(ctx: HookContext): Promise<void> {
    const progress = this.progress(ctx);
    for (const sink of this.sinks) await sink.step(progress);
  }

  afterRun(): void {
    for (const sink of this.sinks) sink.end?.();
  }

  private progress(ctx: HookContext): RunProgress {
    const now = Date.now();
    const trainedHere = ctx.step - this.startStep;
    const pace = (now - this.startedAt) / 1000 / trainedHere;
    return {
      step: ctx.step, totalSteps: ctx.totalSteps, epoch: ctx.epoch, logs: ctx.logs,
      trainedSeconds: trainedSeconds(ctx.state.clock, now),
      secondsLeft: trainedHere > 0 ? pace * (ctx.totalSteps - ctx.step) : null,
    };
  }
}

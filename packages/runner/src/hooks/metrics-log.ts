import { inject, injectable } from 'inversify';
import { HookPriority, componentType, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';

/** Logs each step's loss terms, learning rate and statistics to metrics.jsonl, with images per second. */
@injectable()
export class MetricsLogHook implements Hook {
  static readonly type = 'metrics-log';
  static summary = 'each step\'s loss terms, learning rate and statistics to metrics.jsonl';
  readonly type = componentType(this);
  readonly priority = HookPriority.NORMAL;
  private last = Date.now();

  constructor(@inject(RunSession) private readonly session: RunSession) {}

  beforeRun(): void {
    this.last = Date.now();
  }

  afterStep(ctx: HookContext): void {
    const now = Date.now();
    ctx.logs.imagesPerSecond = (this.session.loader.imagesPerStep * 1000) / Math.max(1, now - this.last);
    this.last = now;
    this.session.metrics.write({ event: 'step', step: ctx.step, epoch: ctx.epoch, time: now, ...ctx.logs });
  }
}

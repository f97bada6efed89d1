import { inject, injectable } from 'inversify';
import { HookPriority, componentType, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';

/** Stops the run as an interruption would after `stopAfterSteps` steps (when the caller asked), keeping the full run's schedule. */
@injectable()
export class StopAfterStepsHook implements Hook {
  static readonly type = 'stop-after-steps';
  static summary = 'stops the run as an interruption would after the steps the caller asked for';
  readonly type = componentType(this);
  readonly priority = HookPriority.HIGHEST;

  constructor(@inject(RunSession) private readonly session: RunSession) {}

  afterStep(ctx: HookContext): void {
    const stopAt = this.session.presentation.stopAfterSteps;
    if (stopAt === undefined || ctx.step < stopAt) return;
    ctx.state.interrupted = 'stopAfterSteps';
    ctx.stop(`interrupted after ${stopAt} steps`);
  }
}

import type { Hook, HookContext } from '../tokens';

/** Every `every` epochs (and after the last one), or every `every` optimizer steps. */
export interface HookSchedule {
  unit: 'epoch' | 'step';
  every: number;
}

/**
 * A hook that acts on a schedule (evaluation, checkpoints) and once more when the run ends
 * between two scheduled points, unless the run failed (non-finite loss or state) or was interrupted
 * (ctx.state.interrupted: the run is not over, and off-schedule actions would make it differ
 * from one never interrupted) and the action does not run on interruptions.
 */
export abstract class PeriodicHook implements Hook {
  abstract readonly type: string;
  abstract readonly priority: number;
  private ranAt = -1;

  constructor(private readonly schedule: HookSchedule, private readonly onInterrupt = false) {}

  protected abstract action(ctx: HookContext): Promise<void> | void;

  /** Actions at the step a run resumes from were done before its checkpoint was written. */
  beforeRun(ctx: HookContext): void {
    this.ranAt = ctx.step;
  }

  async afterStep(ctx: HookContext): Promise<void> {
    if (this.schedule.unit === 'step' && ctx.step % this.schedule.every === 0) await this.run(ctx);
  }

  async afterEpoch(ctx: HookContext): Promise<void> {
    if (this.schedule.unit !== 'epoch') return;
    if ((ctx.epoch + 1) % this.schedule.every === 0 || ctx.step >= ctx.totalSteps) await this.run(ctx);
  }

  async afterRun(ctx: HookContext): Promise<void> {
    if (ctx.state.failed || ctx.state.diverged !== undefined || this.ranAt === ctx.step || (ctx.state.interrupted && !this.onInterrupt)) return;
    await this.run(ctx);
  }

  private async run(ctx: HookContext): Promise<void> {
    this.ranAt = ctx.step;
    await this.action(ctx);
  }
}

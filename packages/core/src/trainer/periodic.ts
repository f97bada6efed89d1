import type { Hook, HookContext } from '../tokens';

type Action = (ctx: HookContext) => Promise<void> | void;

/**
 * Runs an action on a schedule (evaluation, checkpoints) and once more when the run ends
 * between two scheduled points, unless the run failed (non-finite loss or state) or was interrupted
 * (ctx.state.interrupted: the run is not over, and off-schedule actions would make it differ
 * from one never interrupted) and the action does not run on interruptions.
 */
abstract class PeriodicActionHook implements Hook {
  private ranAt = -1;

  constructor(
    readonly type: string, readonly priority: number, protected readonly every: number, private readonly action: Action,
    private readonly onInterrupt = false,
  ) {}

  /** Actions at the step a run resumes from were done before its checkpoint was written. */
  beforeRun(ctx: HookContext): void {
    this.ranAt = ctx.step;
  }

  protected async run(ctx: HookContext): Promise<void> {
    this.ranAt = ctx.step;
    await this.action(ctx);
  }

  async afterRun(ctx: HookContext): Promise<void> {
    if (ctx.state.failed || ctx.state.diverged || this.ranAt === ctx.step || (ctx.state.interrupted && !this.onInterrupt)) return;
    await this.run(ctx);
  }
}

/** After every `every` epochs and after the last one. */
export class EpochActionHook extends PeriodicActionHook {
  async afterEpoch(ctx: HookContext): Promise<void> {
    if ((ctx.epoch + 1) % this.every === 0 || ctx.step >= ctx.totalSteps) await this.run(ctx);
  }
}

/** After every `every` optimizer steps. */
export class StepActionHook extends PeriodicActionHook {
  async afterStep(ctx: HookContext): Promise<void> {
    if (ctx.step % this.every === 0) await this.run(ctx);
  }
}

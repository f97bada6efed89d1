import type { Hook, HookContext } from '../tokens';

/**
 * Runs an action after every `every` epochs and after the last one (evaluation, checkpoints).
 * The action sees the hook context; a run that failed (non-finite loss) skips it.
 */
export class EpochActionHook implements Hook {
  private ranAt = -1;

  constructor(
    readonly type: string,
    readonly priority: number,
    private readonly every: number,
    private readonly action: (ctx: HookContext) => Promise<void> | void,
  ) {}

  async afterEpoch(ctx: HookContext): Promise<void> {
    const lastEpoch = ctx.step >= ctx.totalSteps;
    if ((ctx.epoch + 1) % this.every === 0 || lastEpoch) {
      this.ranAt = ctx.step;
      await this.action(ctx);
    }
  }

  async afterRun(ctx: HookContext): Promise<void> {
    // a run stopped mid-epoch (maxSteps, stop()) still gets its final action, unless it failed
    if (ctx.state.failed || this.ranAt === ctx.step) return;
    this.ranAt = ctx.step;
    await this.action(ctx);
  }
}

/** Runs an action every `every` optimizer steps and once at the end of the run (unless it failed). */
export class StepActionHook implements Hook {
  private ranAt = -1;

  constructor(
    readonly type: string,
    readonly priority: number,
    private readonly every: number,
    private readonly action: (ctx: HookContext) => Promise<void> | void,
  ) {}

  async afterStep(ctx: HookContext): Promise<void> {
    if (ctx.step % this.every === 0) {
      this.ranAt = ctx.step;
      await this.action(ctx);
    }
  }

  async afterRun(ctx: HookContext): Promise<void> {
    if (ctx.state.failed || this.ranAt === ctx.step) return;
    this.ranAt = ctx.step;
    await this.action(ctx);
  }
}

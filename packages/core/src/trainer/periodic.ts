import type { Hook, HookContext } from '../tokens';

type Action = (ctx: HookContext) => Promise<void> | void;

/**
 * Runs an action on a schedule (evaluation, checkpoints) and once more when the run ends
 * between two scheduled points, unless the run failed (non-finite loss).
 */
abstract class PeriodicActionHook implements Hook {
  private ranAt = -1;

  constructor(readonly type: string, readonly priority: number, protected readonly every: number, private readonly action: Action) {}

  protected async run(ctx: HookContext): Promise<void> {
    this.ranAt = ctx.step;
    await this.action(ctx);
  }

  async afterRun(ctx: HookContext): Promise<void> {
    if (ctx.state.failed || this.ranAt === ctx.step) return;
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

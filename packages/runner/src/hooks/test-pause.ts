import { injectable } from 'inversify';
import { HookPriority, pausePoint, type Hook, type HookContext } from '@ssseg/core';

/** The `after-step:N` point where fault-injection tests of the real CLI stop a run (inert otherwise). */
@injectable()
export class TestPauseHook implements Hook {
  readonly type = 'test-pause';
  readonly priority = HookPriority.LOWEST;

  afterStep(ctx: HookContext): void {
    pausePoint(`after-step:${ctx.step}`);
  }
}

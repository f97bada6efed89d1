import { injectable } from 'inversify';
import { HookPriority, componentType, pausePoint, type Hook, type HookContext } from '@ssseg/core';

/** The `after-step:N` point where fault-injection tests of the real CLI stop a run (inert otherwise). */
@injectable()
export class TestPauseHook implements Hook {
  static readonly type = 'test-pause';
  static summary = 'the after-step:N point where fault-injection tests stop a run (inert otherwise)';
  readonly type = componentType(this);
  readonly priority = HookPriority.LOWEST;

  afterStep(ctx: HookContext): void {
    pausePoint(`after-step:${ctx.step}`);
  }
}

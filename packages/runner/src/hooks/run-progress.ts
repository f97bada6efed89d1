import { inject, injectable } from 'inversify';
import { HookPriority, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';
import { ProgressHook } from './progress';

/** Every run's progress line on stderr, labelled as the caller asked; nothing when the run is quiet. */
@injectable()
export class RunProgressHook implements Hook {
  readonly type = 'progress';
  readonly priority = HookPriority.BELOW_NORMAL;
  private readonly line?: ProgressHook;

  constructor(@inject(RunSession) session: RunSession) {
    if (!session.presentation.quiet) this.line = new ProgressHook(session.presentation.label);
  }

  beforeRun(): void {
    this.line?.beforeRun();
  }

  afterStep(ctx: HookContext): void {
    this.line?.afterStep(ctx);
  }

  afterRun(): void {
    this.line?.afterRun();
  }
}

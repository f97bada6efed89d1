import { inject, injectable } from 'inversify';
import { HookPriority, componentType, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** The exit status of a process stopped by `signal` (128 + its number, as shells report it). */
export function exitCodeFor(signal: string): number {
  return EXIT_CODES[signal as NodeJS.Signals] ?? 1;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM during a run whose caller asked for it (the CLI's commands): the
 * step under way finishes, the run stops there and its checkpoint is written
 * (ctx.state.interrupted tells the other hooks). A second signal quits at once; the last
 * checkpoint written is still whole, as every write is atomic.
 */
@injectable()
export class SignalInterruptHook implements Hook {
  static readonly type = 'interrupt';
  static summary = 'Ctrl-C or SIGTERM: finish the step, write the checkpoint, stop (when the caller asks: the CLI)';
  readonly type = componentType(this);
  readonly priority = HookPriority.HIGHEST;
  received: NodeJS.Signals | undefined;
  private readonly signals: NodeJS.Signals[];
  private readonly label: string;

  constructor(@inject(RunSession) session: RunSession) {
    this.label = session.presentation.label;
    this.signals = session.presentation.stopOnSignals ? ['SIGINT', 'SIGTERM'] : [];
  }

  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.received) {
      process.stderr.write(`\n${this.label}: ${signal} again: quitting without a new checkpoint\n`);
      process.exit(exitCodeFor(signal));
    }
    this.received = signal;
    process.stderr.write(`\n${this.label}: ${signal}: finishing this step, then writing a checkpoint (${signal} again quits at once)\n`);
  };

  beforeRun(): void {
    for (const s of this.signals) process.on(s, this.onSignal);
  }

  async afterStep(ctx: HookContext): Promise<void> {
    if (!this.signals.length) return;
    // a step's work is synchronous and batches arrive as resolved promises: without a turn of the
    // event loop here, a signal's handler would only run once the whole run is over
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.received) return;
    ctx.state.interrupted = this.received;
    ctx.stop(`interrupted by ${this.received} after step ${ctx.step}`);
  }

  /** Called when the run has written its last checkpoint; signals are the default ones again. */
  dispose(): void {
    for (const s of this.signals) process.removeListener(s, this.onSignal);
  }
}

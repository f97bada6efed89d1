import type { Hook, HookContext } from '@ssseg/core';

/** Progress of a run: a redrawn line on a terminal, plain lines every `every` steps elsewhere. */
export class ProgressHook implements Hook {
  readonly type = 'progress';
  readonly priority = 60;
  private started = Date.now();

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly every = 20,
  ) {}

  beforeRun(): void {
    this.started = Date.now();
  }

  afterStep(ctx: HookContext): void {
    const tty = this.stream.isTTY;
    if (!tty && ctx.step % this.every !== 0 && ctx.step !== ctx.totalSteps) return;
    const fraction = ctx.step / Math.max(1, ctx.totalSteps);
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
    const terms = Object.entries(ctx.logs)
      .filter(([k]) => k === 'loss' || k.startsWith('loss/'))
      .map(([k, v]) => `${k.replace('loss/', '')} ${v.toFixed(3)}`)
      .join(' ');
    const line = `${this.label} ${bar(fraction)} ${ctx.step}/${ctx.totalSteps} ep ${ctx.epoch + 1} | ${terms} | ${formatSeconds(elapsed)} < ${formatSeconds(eta)}`;
    this.stream.write(tty ? `\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K` : `${line}\n`);
  }

  afterRun(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function formatSeconds(s: number): string {
  const m = Math.floor(s / 60);
  return m ? `${m}m${Math.round(s % 60).toString().padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

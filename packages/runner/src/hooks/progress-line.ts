import type { ProgressSink, RunProgress } from './progress-sink';

/**
 * Progress of a run on a stream (stderr): a redrawn line on a terminal; elsewhere (a log file, a
 * pipe) a plain line at the first step, then at most every `everyMs` (about 10 s), and at the last
 * step. It reads `elapsed < left`: the run's training time over every process, and the time left
 * at this process's pace.
 */
export class ProgressLine implements ProgressSink {
  private lastLine = -Infinity;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = 10_000,
  ) {}

  start(): void {
    this.lastLine = -Infinity;
  }

  step(p: RunProgress): void {
    const tty = this.stream.isTTY;
    const now = Date.now();
    if (!tty && now - this.lastLine < this.everyMs && p.step !== p.totalSteps) return;
    this.lastLine = now;
    const terms = Object.entries(p.logs)
      .filter(([k]) => k === 'loss' || k.startsWith('loss/'))
      .map(([k, v]) => `${k.replace('loss/', '')} ${formatTerm(v)}`)
      .join(' ');
    const fraction = p.step / Math.max(1, p.totalSteps);
    const line = `${this.label} ${bar(fraction)} ${p.step}/${p.totalSteps} ep ${p.epoch + 1} | ${terms} | ${formatSeconds(p.trainedSeconds)} < ${formatSeconds(p.secondsLeft ?? 0)}`;
    this.stream.write(tty ? `\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\x1b[K` : `${line}\n`);
  }

  end(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

/**
 * A loss term with three decimals, or three significant digits when it is smaller than 0.0005 and
 * not zero: a regularizer at weight 0.02 contributes terms like 0.00012 that 0.000 would hide.
 */
export function formatTerm(v: number): string {
  if (v === 0 || !Number.isFinite(v) || Math.abs(v) >= 0.0005) return v.toFixed(3);
  return v.toPrecision(3);
}

export function bar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/** 42 -> '42s', 3299.6 -> '55m00s', 7384 -> '2h03m04s': whole seconds, rounded once. */
export function formatSeconds(s: number): string {
  const total = Math.max(0, Math.round(s));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), sec = total % 60;
  const two = (n: number) => n.toString().padStart(2, '0');
  if (h) return `${h}h${two(m)}m${two(sec)}s`;
  return m ? `${m}m${two(sec)}s` : `${sec}s`;
}

/**
 * Seconds left for a matrix: the mean time of the runs trained so far in this process times the
 * runs still to train (runs found finished cost nothing), or undefined before the first has ended.
 */
export function matrixEta(trainedSeconds: readonly number[], runsLeft: number): number | undefined {
  if (!trainedSeconds.length) return undefined;
  return (trainedSeconds.reduce((a, b) => a + b, 0) / trainedSeconds.length) * runsLeft;
}

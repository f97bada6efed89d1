import * as fs from 'fs';
import * as path from 'path';
import type { Hook, HookContext } from '../tokens';

/** One line of a run's metrics.jsonl. */
export type MetricsRecord =
  | { event: 'step'; step: number; epoch: number; time: number; [name: string]: number | string }
  | { event: 'eval'; step: number; epoch: number; time: number; miou: number; iou: number[]; [name: string]: unknown }
  | { event: 'end'; step: number; epoch: number; time: number; [name: string]: unknown };

/** Appends JSON lines to a file; every line is complete on disk when write() returns. */
export class MetricsWriter {
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  write(record: MetricsRecord): void {
    fs.appendFileSync(this.file, JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n');
  }

  /** Drops records after `step` (a resumed run rewrites what the stopped one logged past its checkpoint). */
  truncateAfter(step: number): void {
    if (!fs.existsSync(this.file)) return;
    const kept = readMetrics(this.file).filter((r) => r.step <= step && r.event !== 'end');
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, kept.map((r) => JSON.stringify(r) + '\n').join(''));
    fs.renameSync(tmp, this.file);
  }
}

export function readMetrics(file: string): MetricsRecord[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line, i) => {
    try {
      return JSON.parse(line) as MetricsRecord;
    } catch {
      throw new Error(`${file}:${i + 1}: not a JSON line`);
    }
  });
}

/**
 * Logs each step's loss terms, learning rate and statistics, with images per second measured
 * over the last `every` steps.
 */
export class StepLogHook implements Hook {
  readonly type = 'step-log';
  readonly priority = 50;
  private last = Date.now();

  constructor(private readonly writer: MetricsWriter, private readonly imagesPerStep: number, private readonly every = 1) {}

  beforeRun(): void {
    this.last = Date.now();
  }

  afterStep(ctx: HookContext): void {
    if (ctx.step % this.every !== 0 && ctx.step !== ctx.totalSteps) return;
    const now = Date.now();
    const imagesPerSecond = (this.imagesPerStep * this.every * 1000) / Math.max(1, now - this.last);
    this.last = now;
    ctx.logs.imagesPerSecond = imagesPerSecond;
    this.writer.write({ event: 'step', step: ctx.step, epoch: ctx.epoch, time: now, ...ctx.logs });
  }
}

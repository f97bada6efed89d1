import * as fs from 'fs';
import * as path from 'path';
import type { Hook, HookContext } from '../tokens';
import { SssegError } from '../errors';
import { writeFileAtomic } from '../io/atomic-write';

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

  /**
   * Drops records after `step` (a resumed run rewrites what the stopped one logged past its
   * checkpoint) and a torn last line, so appending continues a whole file.
   */
  truncateAfter(step: number, warn?: (message: string) => void): void {
    if (!fs.existsSync(this.file)) return;
    const kept = readMetrics(this.file, warn).filter((r) => r.step <= step && r.event !== 'end');
    writeFileAtomic(this.file, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  }
}

const warnOnStderr = (message: string) => void process.stderr.write(`warning: ${message}\n`);

/**
 * The records of a metrics.jsonl. A last line that does not parse is what a process killed while
 * appending leaves: it is dropped with a warning. A bad line anywhere else is an error naming it.
 */
export function readMetrics(file: string, warn: (message: string) => void = warnOnStderr): MetricsRecord[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const last = lines.length - 1 - [...lines].reverse().findIndex(Boolean);
  const records: MetricsRecord[] = [];
  lines.forEach((line, i) => {
    if (!line) return;
    try {
      records.push(JSON.parse(line) as MetricsRecord);
    } catch {
      if (i !== last) throw new SssegError(`not a JSON line`, `${file}:${i + 1}`);
      warn(`${file}:${i + 1}: dropped a torn last line (${line.length} characters; the run was stopped while writing it)`);
    }
  });
  return records;
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

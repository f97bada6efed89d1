import * as fs from 'fs';
import * as path from 'path';
import { SssegError } from '../../errors';
import { writeFileAtomic } from '../../io/atomic-write';
import { namingFullDisk } from '../../io/disk-full';

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
    const line = JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
    namingFullDisk(this.file, () => fs.appendFileSync(this.file, line));
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

/** Complete records read from a byte offset of a metrics.jsonl, and the offset to read from next. */
export interface MetricsChunk {
  /** Complete records from `from` on; a torn last line (a run killed mid-write, or one being written) waits. */
  records: Record<string, unknown>[];
  /** Byte offset to ask from next time. */
  next: number;
}

/**
 * Reads metrics.jsonl from a byte offset, returning only complete lines, so a reader polling a
 * training run (the dashboard) receives each record once and never half of one.
 */
export function readMetricsFrom(file: string, from = 0): MetricsChunk {
  if (!fs.existsSync(file)) return { records: [], next: 0 };
  const fd = fs.openSync(file, 'r');
  try {
    return readMetricsFromDescriptor(fd, from);
  } finally {
    fs.closeSync(fd);
  }
}

/** readMetricsFrom on a file already open, for readers that checked what they opened (the dashboard). */
export function readMetricsFromDescriptor(fd: number, from = 0): MetricsChunk {
  const size = fs.fstatSync(fd).size;
  const start = from > size ? 0 : from; // the file was rewritten (a resume truncates what the stopped run logged)
  if (start === size) return { records: [], next: start };
  const buffer = Buffer.alloc(size - start);
  const read = fs.readSync(fd, buffer, 0, buffer.length, start);
  const end = buffer.subarray(0, read).lastIndexOf(0x0a) + 1;
  const records: Record<string, unknown>[] = [];
  for (const line of buffer.subarray(0, end).toString('utf8').split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line torn by a kill and then followed by a resumed run's records: skip it, as resume does
    }
  }
  return { records, next: start + end };
}

/** The step of the last 'step' record of a metrics.jsonl, read from its tail; null before the first. */
export function lastLoggedStep(file: string, tailBytes = 8192): number | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    for (const line of buffer.toString('utf8').split('\n').reverse()) {
      try {
        const record = JSON.parse(line) as { event?: string; step?: number };
        if (record.event === 'step' && typeof record.step === 'number') return record.step;
      } catch {
        // a partial first line of the tail, or a line being written
      }
    }
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/** MetricsWriter writes non-finite numbers as strings ("NaN", "Infinity"); read both back as numbers. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^(NaN|-?Infinity|-?[\d.]+(e[-+]?\d+)?)$/i.test(value)) return Number(value);
  return undefined;
}

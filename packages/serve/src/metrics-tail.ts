import * as fs from 'fs';

export interface MetricsChunk {
  /** Complete records from `from` on; a torn last line (a run killed mid-write, or one being written) waits. */
  records: Record<string, unknown>[];
  /** Byte offset to ask from next time. */
  next: number;
}

/**
 * Reads metrics.jsonl from a byte offset, returning only complete lines, so a browser polling a
 * training run receives each record once and never half of one.
 */
export function readMetricsFrom(file: string, from = 0): MetricsChunk {
  if (!fs.existsSync(file)) return { records: [], next: 0 };
  const size = fs.statSync(file).size;
  const start = from > size ? 0 : from; // the file was rewritten (a resume truncates what the stopped run logged)
  if (start === size) return { records: [], next: start };
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const end = buffer.lastIndexOf(0x0a) + 1;
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
  } finally {
    fs.closeSync(fd);
  }
}

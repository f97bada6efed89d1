import * as fs from 'fs';

/** The step of the last 'step' record of a metrics.jsonl, read from its tail; null before the first. */
export function lastLoggedStep(metricsFile: string, tailBytes = 8192): number | null {
  let fd: number;
  try {
    fd = fs.openSync(metricsFile, 'r');
  } catch {
    return null;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').reverse();
    for (const line of lines) {
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

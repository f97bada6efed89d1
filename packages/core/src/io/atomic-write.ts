import * as fs from 'fs';
import * as path from 'path';

/**
 * Writes a file so that readers see either the old content or the whole new one: data goes to a
 * temporary file in the same folder, is flushed, then renamed over the target.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | Uint8Array[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const chunk of Array.isArray(data) ? data : [data]) fs.writeSync(fd, chunk as never);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

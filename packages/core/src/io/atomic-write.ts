import * as fs from 'fs';
import * as path from 'path';
import { namingFullDisk } from './disk-full';
import { pausePoint } from './test-pause';

/**
 * Writes a file so that readers see either the old content or the whole new one, also after a
 * crash or power loss: data goes to a temporary file in the same folder and is flushed, then
 * renamed over the target, then the folder is flushed so the rename itself is on disk. A full
 * disk (or quota) throws DiskFullError naming `file`, whose old content is left as it was.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | Uint8Array[]): void {
  namingFullDisk(file, () => writeAtomically(file, data));
}

function writeAtomically(file: string, data: string | Uint8Array | Uint8Array[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const chunk of Array.isArray(data) ? data : [data]) fs.writeSync(fd, chunk as never);
    fs.fsyncSync(fd);
  } catch (err) {
    // a disk that filled up gets back the space of the part written; the old file stays whole
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  pausePoint(`rename:${path.basename(file)}`);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncFolder(path.dirname(file));
}

/** Flushes a folder's entries (new names, renames, removals) to disk. */
export function fsyncFolder(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return; // a platform that cannot open folders (Windows) has nothing to flush this way
  }
  try {
    fs.fsyncSync(fd);
  } catch (err) {
    // some file systems refuse fsync on a folder; the rename is still atomic there
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SssegError } from '../errors';
import { fsyncFolder } from './atomic-write';

/** The file that marks a folder as being written; it names its writer. */
export const LOCK_FILE = 'LOCK';

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** What holds it, e.g. `ssseg train`. */
  purpose: string;
}

export class FolderLockedError extends SssegError {
  constructor(readonly dir: string, readonly holder: LockHolder | null, detail: string) {
    super(detail, dir);
    this.name = 'FolderLockedError';
  }
}

export interface FolderLock {
  readonly file: string;
  /** Removes the lock if it is still this process's; safe to call more than once. */
  release(): void;
}

export interface LockOptions {
  /** Told when the lock of a process that died on this host is taken over. */
  onTakeOver?: (message: string) => void;
}

/**
 * Makes this process the one writer of `dir`: the lock file is created whole or not at all
 * (written aside, then hard-linked into place, which fails if a lock exists). A second writer
 * fails at once with an error naming the holder. A lock left by a process that no longer runs on
 * this host is taken over; one from another host is only ever removed by hand, as its process
 * cannot be checked from here. Released on release() or when the process exits.
 */
export function lockFolder(dir: string, purpose: string, options: LockOptions = {}): FolderLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose };
  const text = JSON.stringify(me) + '\n';
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, text)) return held(file, text);
    const holder = readHolder(file);
    if (holder === undefined) continue; // removed in the meantime: try again
    if (holder && holder.host === me.host && !isRunning(holder.pid)) {
      if (takeOver(file, holder)) {
        options.onTakeOver?.(`${dir}: taking over the lock of ${describe(holder)}, which is no longer running`);
      }
      continue;
    }
    throw lockedError(dir, file, holder);
  }
  throw lockedError(dir, file, readHolder(file) ?? null);
}

function tryCreate(file: string, text: string): boolean {
  const aside = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(aside, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(aside, file);
    fsyncFolder(path.dirname(file));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** The lock's holder; null for a lock file that does not parse; undefined when there is none. */
function readHolder(file: string): LockHolder | null | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Moves a dead holder's lock aside, checking that what moved is that lock: another process taking
 * it over at the same moment may already have put its own in place, which is then put back.
 */
function takeOver(file: string, stale: LockHolder): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const moved = readHolder(aside);
  if (moved && moved.pid === stale.pid && moved.started === stale.started && moved.host === stale.host) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  try {
    fs.linkSync(aside, file);
  } catch {
    // yet another writer got in: it holds the folder now
  }
  fs.rmSync(aside, { force: true });
  return false;
}

function held(file: string, text: string): FolderLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      if (fs.readFileSync(file, 'utf8') === text) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return { file, release };
}

function describe(h: LockHolder): string {
  return `${h.purpose} (pid ${h.pid} on ${h.host}, since ${h.started})`;
}

function lockedError(dir: string, file: string, holder: LockHolder | null): FolderLockedError {
  if (!holder) return new FolderLockedError(dir, null, `is locked by ${file}, which does not name its writer; delete it if nothing writes this folder`);
  const remedy = holder.host === os.hostname()
    ? 'wait for it to end or stop it'
    : `wait for it to end; if that process is gone, delete ${file} (a lock from another host cannot be checked from here)`;
  return new FolderLockedError(dir, holder, `is in use by ${describe(holder)}: ${remedy}`);
}

/**
 * Who writes `dir` now, for readers that only look (a dashboard): the lock's holder, and whether
 * it still runs (undefined for a holder on another host, which cannot be checked from here).
 */
export function folderWriter(dir: string): { holder: LockHolder; running: boolean | undefined } | undefined {
  const holder = readHolder(path.join(dir, LOCK_FILE));
  if (!holder) return undefined;
  return { holder, running: holder.host === os.hostname() ? isRunning(holder.pid) : undefined };
}

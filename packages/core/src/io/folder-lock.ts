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

/** How often a holder refreshes its lock: it sets the lock file's modification time to now. */
export const LOCK_REFRESH_MS = 30_000;
/** A lock from another host not refreshed for this long is taken over (SSSEG_LOCK_STALE_SECONDS). */
export const DEFAULT_LOCK_STALE_MS = 10 * LOCK_REFRESH_MS;
const STALE_ENV = 'SSSEG_LOCK_STALE_SECONDS';

export interface LockOptions {
  /** Told when the lock of a process that died on this host, or a stale one of another host, is taken over. */
  onTakeOver?: (message: string) => void;
  /** Told when this process finds its lock taken over by another (default: a line on stderr). */
  onLost?: (message: string) => void;
  /** How often the holder refreshes the lock (default LOCK_REFRESH_MS). */
  refreshMs?: number;
}

/**
 * How long a lock from another host may go without a refresh before it counts as abandoned:
 * SSSEG_LOCK_STALE_SECONDS, else DEFAULT_LOCK_STALE_MS. At least twice the refresh interval, so
 * that one late refresh of a busy holder does not lose it its lock.
 */
export function lockStaleAfterMs(): number {
  const text = process.env[STALE_ENV];
  if (text === undefined || text === '') return DEFAULT_LOCK_STALE_MS;
  const seconds = Number(text);
  const least = (2 * LOCK_REFRESH_MS) / 1000;
  if (!Number.isFinite(seconds) || seconds < least) {
    throw new SssegError(`must be a number of seconds, at least ${least} (twice the lock refresh interval), got '${text}'`, STALE_ENV);
  }
  return seconds * 1000;
}

/**
 * Makes this process the one writer of `dir`: the lock file is created whole or not at all
 * (written aside, then hard-linked into place, which fails if a lock exists). A second writer
 * fails at once with an error naming the holder. The holder refreshes the lock every
 * LOCK_REFRESH_MS. A lock left by a process that no longer runs on this host is taken over; one
 * from another host, whose process cannot be checked from here, is taken over once it has not been
 * refreshed for lockStaleAfterMs(). Released on release() or when the process exits.
 */
export function lockFolder(dir: string, purpose: string, options: LockOptions = {}): FolderLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose };
  const text = JSON.stringify(me) + '\n';
  const staleAfterMs = lockStaleAfterMs();
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, text)) return held(dir, file, text, options);
    const holder = readHolder(file);
    if (holder === undefined) continue; // removed in the meantime: try again
    const abandoned = holder ? whyAbandoned(file, holder, staleAfterMs) : undefined;
    if (holder && abandoned) {
      if (takeOver(file, holder, staleAfterMs)) options.onTakeOver?.(`${dir}: taking over the lock of ${describe(holder)}, ${abandoned}`);
      continue;
    }
    throw lockedError(dir, file, holder, staleAfterMs);
  }
  throw lockedError(dir, file, readHolder(file) ?? null, staleAfterMs);
}

/** How long ago the lock file was last refreshed (ms); undefined when it is gone. */
function silentForMs(file: string): number | undefined {
  try {
    return Math.max(0, Date.now() - fs.statSync(file).mtimeMs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Why the holder no longer holds the lock (its process died, or it went silent); undefined while it holds it. */
function whyAbandoned(file: string, holder: LockHolder, staleAfterMs: number): string | undefined {
  if (holder.host === os.hostname()) return isRunning(holder.pid) ? undefined : 'which is no longer running';
  const silent = silentForMs(file);
  if (silent === undefined || silent < staleAfterMs) return undefined;
  return `from another host, not refreshed for ${duration(silent)} (a lock from another host is taken over after ${duration(staleAfterMs)} without a refresh)`;
}

/** A duration for messages: seconds under two minutes, else minutes. */
function duration(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
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
 * Moves an abandoned lock aside, checking that what moved is that lock, still abandoned: another
 * process taking it over at the same moment may already have put its own in place, or the holder
 * may have refreshed it meanwhile; either is then put back.
 */
function takeOver(file: string, stale: LockHolder, staleAfterMs: number): boolean {
  const aside = `${file}.stale.${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const moved = readHolder(aside);
  const same = moved && moved.pid === stale.pid && moved.started === stale.started && moved.host === stale.host;
  if (same && whyAbandoned(aside, moved, staleAfterMs)) {
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

function held(dir: string, file: string, text: string, options: LockOptions): FolderLock {
  let released = false;
  const refresh = setInterval(() => refreshHeld(dir, file, text, options, () => clearInterval(refresh)), options.refreshMs ?? LOCK_REFRESH_MS);
  refresh.unref();
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(refresh);
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

/**
 * The heartbeat: sets the lock file's modification time to now while it is still this process's.
 * Another process's lock in its place means this one was taken over (its refreshes stopped
 * reaching the file for the stale time): say so once and stop. A missing file is left for the
 * next beat (another process may have it aside for a moment while checking whether it is stale).
 */
function refreshHeld(dir: string, file: string, text: string, options: LockOptions, stop: () => void): void {
  let now: string;
  try {
    now = fs.readFileSync(file, 'utf8');
    if (now === text) {
      const time = new Date();
      fs.utimesSync(file, time, time);
      return;
    }
  } catch {
    return; // gone for now, or storage briefly unreachable: the next beat tries again
  }
  stop();
  const holder = readHolder(file);
  const message = `${dir}: this process's lock was taken over by ${holder ? describe(holder) : 'another writer'}; two processes may now write this folder`;
  (options.onLost ?? ((m: string) => process.stderr.write(`${m}\n`)))(message);
}

function describe(h: LockHolder): string {
  return `${h.purpose} (pid ${h.pid} on ${h.host}, since ${h.started})`;
}

function lockedError(dir: string, file: string, holder: LockHolder | null, staleAfterMs: number): FolderLockedError {
  if (!holder) return new FolderLockedError(dir, null, `is locked by ${file}, which does not name its writer; delete it if nothing writes this folder`);
  const silent = silentForMs(file);
  const remedy = holder.host === os.hostname()
    ? 'wait for it to end or stop it'
    : `wait for it to end; its lock was refreshed ${duration(silent ?? 0)} ago, and is taken over once it goes ${duration(staleAfterMs)} without a refresh`;
  return new FolderLockedError(dir, holder, `is in use by ${describe(holder)}: ${remedy}`);
}

export interface LockStatus {
  holder: LockHolder;
  /** Whether the holder still holds it: its process runs (this host), or it was refreshed within the stale time (another host). */
  live: boolean;
  /** How long ago the holder last refreshed it (ms). */
  silentForMs: number;
}

/** The state of `dir`'s lock, for processes that decide by it without taking it (a queue's follower). */
export function folderLockStatus(dir: string): LockStatus | undefined {
  const file = path.join(dir, LOCK_FILE);
  const holder = readHolder(file);
  const silent = silentForMs(file);
  if (!holder || silent === undefined) return undefined;
  return { holder, live: !whyAbandoned(file, holder, lockStaleAfterMs()), silentForMs: silent };
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

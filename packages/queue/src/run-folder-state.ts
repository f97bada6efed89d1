import { folderLockStatus, isRunDone, type LockHolder } from '@ssseg/core';

/**
 * What a run's folder on the shared storage says, whatever Redis says: the run finished (DONE),
 * a process trains it (a live LOCK: its process runs on this host, or it was refreshed within the
 * stale time on another), or neither.
 */
export type RunFolderState = { kind: 'done' } | { kind: 'training'; holder: LockHolder } | { kind: 'idle' };

export function runFolderState(dir: string): RunFolderState {
  if (isRunDone(dir)) return { kind: 'done' };
  const lock = folderLockStatus(dir);
  return lock?.live ? { kind: 'training', holder: lock.holder } : { kind: 'idle' };
}

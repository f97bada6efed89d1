import { DiskFullError, isDiskFull } from '@ssseg/core';
import type { RunState } from '@ssseg/core';

/**
 * A full disk met while a run writes its folder, as the user is told it: the file being written
 * and the last checkpoint that is still good (every checkpoint is written atomically, so a failed
 * one leaves the previous whole). Any other error is returned as it is.
 */
export function reportDiskFull(error: unknown, record: Pick<RunState, 'lastCheckpoint' | 'checkpointedAt'>, outDir: string): unknown {
  if (!isDiskFull(error)) return error;
  const full = error instanceof DiskFullError ? error : new DiskFullError(error.path ?? outDir, error.code!);
  return full.keeping(record.lastCheckpoint
    ? `the last good checkpoint is ${record.lastCheckpoint} (step ${record.checkpointedAt}), which resuming the run continues from once there is space`
    : 'no checkpoint of this run was written yet');
}

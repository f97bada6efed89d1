import * as fs from 'fs';
import { RUN_FILES, SssegError, runFile, runFilesIn, type RunFileName } from '@ssseg/core';

/** How a run treats what its folder already holds. */
export type ExistingRun =
  /** A new run: refuse a folder that holds a run. */
  | 'refuse'
  /** Continue from last.ckpt; refuse a folder without one. */
  | 'resume'
  /** Continue from last.ckpt if there is one, else start over (compare and queue workers). */
  | 'resume-if-checkpoint'
  /** Start over, replacing what is there (`train --force`). */
  | 'restart';

/**
 * Whether the run in `dir` continues from its checkpoint; errors for a folder the request does
 * not fit (a finished run, a new run over an old one, a resume without a checkpoint).
 */
export function decideResume(dir: string, existing: ExistingRun, configFile?: string): boolean {
  const has = (f: RunFileName) => fs.existsSync(runFile(dir, f));
  if (existing === 'restart') return false;
  if (existing === 'refuse') {
    const found = runFilesIn(dir);
    if (found.length) {
      const state = has('done') ? 'a finished run' : 'a run';
      throw new SssegError(
        `already holds ${state} (${found.join(', ')}): continue an unfinished one with 'ssseg train --resume ${dir}', or start over (deleting it) with --force`, dir,
      );
    }
    return false;
  }
  if (has('done')) {
    throw new SssegError(`the run has finished (${RUN_FILES.done} is there): nothing to resume; to train it again from scratch, use --config and --out with --force`, dir);
  }
  if (has('last')) return true;
  if (existing === 'resume') {
    const config = configFile ?? runFile(dir, 'config');
    throw new SssegError(
      `no checkpoint (${RUN_FILES.last}) to resume from, so nothing was changed; start the run again with 'ssseg train --config ${config} --out ${dir} --force'`, dir,
    );
  }
  return false;
}

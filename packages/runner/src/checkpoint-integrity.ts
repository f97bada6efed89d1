import * as fs from 'fs';
import * as path from 'path';
import { DamagedTensorFileError, SssegError, loadTensorFile, verifyTensorFile, type TensorFile } from '@ssseg/core';

/** What to do with a checkpoint that verifies, for the caller's command ('copy it over last.ckpt ...'). */
export type UseInstead = (alternative: string) => string;

interface Verified {
  file: string;
  step: number | undefined;
}

/** The checkpoints beside `file` (same folder, `.ckpt`) whose checksum verifies, the newest step first. */
function verifiedNeighbours(file: string): Verified[] {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.ckpt'));
  } catch {
    return [];
  }
  const found: Verified[] = [];
  for (const name of names) {
    const other = path.join(dir, name);
    if (path.resolve(other) === path.resolve(file)) continue;
    try {
      const { meta, verified } = verifyTensorFile(other);
      const step = (meta.position as { step?: unknown } | undefined)?.step;
      if (verified) found.push({ file: other, step: typeof step === 'number' ? step : undefined });
    } catch {
      // damaged or unreadable too: not one to offer
    }
  }
  return found.sort((a, b) => (b.step ?? -1) - (a.step ?? -1));
}

/** The message for a damaged checkpoint: what is wrong, and the checkpoint beside it that verifies, if one does. */
export function damagedCheckpointMessage(error: DamagedTensorFileError, useInstead?: UseInstead): string {
  const [best] = verifiedNeighbours(error.file);
  const said = `checkpoint ${error.file} is damaged (${error.reason})`;
  if (!best) return `${said}; no other checkpoint in ${path.dirname(error.file)} verifies`;
  const step = best.step === undefined ? '' : ` (step ${best.step})`;
  return `${said}; ${best.file} verifies${step}${useInstead ? `: ${useInstead(best.file)}` : ''}`;
}

/** Reads a checkpoint's tensors, verified; a damaged one is an error naming it and any checkpoint beside it that verifies. */
export function loadCheckpointFile(file: string, useInstead?: UseInstead): TensorFile {
  try {
    return loadTensorFile(file);
  } catch (error) {
    if (error instanceof DamagedTensorFileError) throw new SssegError(damagedCheckpointMessage(error, useInstead));
    throw error;
  }
}

/** How a failed run's message names its newest checkpoint: good only once its checksum verifies again. */
export function describeLastCheckpoint(file: string): string {
  try {
    verifyTensorFile(file);
    return `the last good checkpoint is ${file}`;
  } catch (error) {
    if (error instanceof DamagedTensorFileError) return `the last ${damagedCheckpointMessage(error)}`;
    return `the last checkpoint ${file} cannot be read (${(error as Error).message})`;
  }
}

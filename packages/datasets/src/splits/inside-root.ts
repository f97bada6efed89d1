import * as fs from 'fs';
import * as path from 'path';
import { SssegError } from '@ssseg/core';

/** The data root as itself and with its links resolved, to check the paths a split file names. */
export interface DataRoot {
  path: string;
  real: string;
}

export function dataRoot(root: string): DataRoot {
  const resolved = path.resolve(root);
  let real = resolved;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    // a missing root: every file under it will be reported missing
  }
  return { path: resolved, real };
}

/**
 * The file a split line names, refused unless it lies inside the data root after `..` and links
 * are resolved: a split file from elsewhere must not make a run read (and train on) any file on
 * the machine. `where` is the split file and line.
 */
export function fileInsideRoot(root: DataRoot, relative: string, what: 'image' | 'mask', where: string): string {
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) {
    throw new SssegError(`${what} path ${relative} is absolute; split files name paths relative to the data root ${root.path}`, where);
  }
  const file = path.resolve(root.path, relative);
  if (!isInside(root.path, file)) throw new SssegError(`${what} path ${relative} leaves the data root ${root.path}`, where);
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return file; // missing: the caller says so when it needs the file
  }
  if (!isInside(root.real, real)) {
    throw new SssegError(`${what} path ${relative} is a link to ${real}, outside the data root ${root.path}`, where);
  }
  return file;
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}

import { SssegError } from '../errors';

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

/** Whether an error is the file system refusing a write for want of space (ENOSPC) or quota (EDQUOT). */
export function isDiskFull(error: unknown): error is NodeJS.ErrnoException {
  return DISK_FULL_CODES.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/**
 * A write refused for want of space or quota: the user's environment, not a fault of ssseg, so it
 * is reported with the file it was writing and no stack trace. `keeps` says what is still good.
 */
export class DiskFullError extends SssegError {
  constructor(readonly file: string, readonly code: string, readonly keeps?: string) {
    super(`${code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on the device'} (${code}) while writing this file${keeps ? `; ${keeps}` : ''}`, file);
    this.name = 'DiskFullError';
  }

  /** The same error, saying what is still good (the last checkpoint a run can resume from). */
  keeping(keeps: string): DiskFullError {
    return new DiskFullError(this.file, this.code, keeps);
  }
}

/** Runs a write of `file`, turning a full disk or quota into a DiskFullError that names the file. */
export function namingFullDisk<T>(file: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    if (isDiskFull(error) && !(error instanceof DiskFullError)) throw new DiskFullError(file, error.code!);
    throw error;
  }
}

import { SssegError } from '@ssseg/core';

/**
 * The run folder's last checkpoint does not load (damaged, or written for another config): the run
 * cannot continue, and trying again changes nothing until someone acts on the message.
 */
export class CannotResumeError extends SssegError {
  constructor(message: string, where?: string) {
    super(message, where);
    this.name = 'CannotResumeError';
  }

  /** A damaged file's message as it is (it names the file and what to do); anything else as why `checkpoint` does not load. */
  static from(error: unknown, checkpoint: string): CannotResumeError {
    if (error instanceof SssegError) return new CannotResumeError(error.message);
    return new CannotResumeError(`cannot resume from this checkpoint, so nothing was changed: ${(error as Error).message}`, checkpoint);
  }
}

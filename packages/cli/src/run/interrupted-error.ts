import { SssegError } from '@ssseg/core';

/** A command stopped by Ctrl-C/SIGTERM after saving its work: the CLI exits with `exitCode`. */
export class InterruptedError extends SssegError {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'InterruptedError';
  }
}

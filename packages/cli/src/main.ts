import { SssegError } from '@ssseg/core';
import { createProgram } from './program';
import { InterruptedError } from './run/interrupted-error';

/** Runs the CLI; user errors print their message alone and exit 1. */
export async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof SssegError) {
      process.stderr.write(`ssseg: ${err.message}\n`);
      return err instanceof InterruptedError ? err.exitCode : 1;
    }
    throw err;
  }
}

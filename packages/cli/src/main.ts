import { SssegError } from '@ssseg/core';
import { createProgram } from './program';
import { InterruptedError } from './run/interrupted-error';

/**
 * Runs the CLI. Errors print their message alone, no stack trace: a user's mistake (SssegError)
 * exits 1, anything else 2 with a hint; `--debug` prints the stack trace of either.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    const debug = argv.includes('--debug');
    if (err instanceof SssegError) {
      process.stderr.write(`ssseg: ${debug ? err.stack : err.message}\n`);
      return err instanceof InterruptedError ? err.exitCode : 1;
    }
    const message = err instanceof Error ? (debug ? err.stack : err.message) : String(err);
    process.stderr.write(`ssseg: ${message}\n${debug ? '' : '(run again with --debug for the stack trace)\n'}`);
    return 2;
  }
}

import { SssegError } from './errors';

/**
 * `value` as a positive integer, else a SssegError naming `name`, the flag or option that gave it
 * (`--epochs`, `batchSize`), with `where` before it when the name alone does not say whose it is.
 * A value given as text (a flag's) is quoted in the message as it was typed.
 */
export function positiveInt(value: string | number, name: string, where?: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    const got = typeof value === 'string' ? `'${value}'` : String(value);
    throw new SssegError(`${name} must be a positive integer, got ${got}`, where);
  }
  return n;
}

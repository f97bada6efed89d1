import * as fs from 'fs';
import type { z } from 'zod';
import { SssegError } from '../../errors';

/**
 * A run folder's JSON record (DONE, the gallery index) from its text: an empty, torn or foreign
 * one is an error naming the file, what it is and what to do (`remedy`).
 */
export function parseJsonRecord<T>(text: string, file: string, schema: z.ZodType<T>, what: string, remedy: string): T {
  if (!text.trim()) throw new SssegError(`invalid ${what}: the file is empty; ${remedy}`, file);
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    return parsed.data;
  } catch (err) {
    throw new SssegError(`invalid ${what}: ${(err as Error).message}; ${remedy}`, file);
  }
}

/** The text of a record file, or undefined when there is none; another failure to read is an error naming it. */
export function readRecordText(file: string, what: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SssegError(`cannot read the ${what}: ${code ?? (err as Error).message}`, file);
  }
}

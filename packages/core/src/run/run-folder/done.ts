import * as fs from 'fs';
import { z } from 'zod';
import { SssegError } from '../../errors';
import { writeFileAtomic } from '../../io/atomic-write';
import { runFile } from './files';
import { parseJsonRecord, readRecordText } from './json-record';

/** The DONE marker: written atomically when a run ends normally, so its presence means a finished run. */
export interface DoneMarker {
  steps: number;
  /** mIoU of the last evaluation; null when the run never evaluated. */
  finalMiou: number | null;
  bestMiou: number | null;
  wallSeconds: number;
}

/** What a DONE marker must hold; keys it does not know are kept (a newer writer's). */
export const DoneMarkerSchema = z.looseObject({
  steps: z.number().int().nonnegative(),
  finalMiou: z.number().nullable(),
  bestMiou: z.number().nullable(),
  wallSeconds: z.number().nonnegative(),
});

const WHAT = 'DONE marker';
const REMEDY = 'delete it to resume or train the run again';

/** Marks the run in `dir` finished: DONE, written atomically, its keys in this order. */
export function writeDoneMarker(dir: string, done: DoneMarker): void {
  const { steps, finalMiou, bestMiou, wallSeconds } = done;
  writeFileAtomic(runFile(dir, 'done'), JSON.stringify({ steps, finalMiou, bestMiou, wallSeconds }, null, 2) + '\n');
}

export function isRunDone(dir: string): boolean {
  return fs.existsSync(runFile(dir, 'done'));
}

/** The DONE marker of the run in `dir`; a missing, empty, torn or foreign one is an error naming the file. */
export function readDoneMarker(dir: string): DoneMarker {
  const file = runFile(dir, 'done');
  const text = readRecordText(file, WHAT);
  if (text === undefined) throw new SssegError(`cannot read the ${WHAT}: ENOENT`, file);
  return parseJsonRecord(text, file, DoneMarkerSchema, WHAT, REMEDY);
}

import { UnrecoverableError } from 'bullmq';
import { readDoneMarker, type DoneMarker } from '@ssseg/core';

/** The DONE marker a finished run left; a bad one fails the job at once, naming the file. */
export function readFinishedRun(dir: string): DoneMarker {
  try {
    return readDoneMarker(dir);
  } catch (error) {
    // another attempt would read the same file
    throw new UnrecoverableError((error as Error).message);
  }
}

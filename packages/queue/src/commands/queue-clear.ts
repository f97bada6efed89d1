import * as path from 'path';
import { SssegError } from '@ssseg/core';
import { DEFAULT_QUEUE_NAME } from '../run-job';
import { checkRedis, connectionOptions } from '../redis-url';
import { RunQueue } from '../payload';
import { comparisonFolderOf, jobsByState } from './queue-status';

export interface ClearOptions {
  queueUrl: string;
  queueName?: string;
  /** The comparison folder whose jobs go; undefined with `all`. */
  outDir?: string;
  /** Every comparison's jobs. */
  all?: boolean;
}

export interface ClearResult {
  /** Job ids removed (waiting or failed). */
  removed: string[];
  /** Job ids left because a worker trains them now. */
  active: string[];
}

/**
 * Removes the waiting and failed jobs of one comparison (a killed `compare --queue` leaves them
 * behind) or of every one. Runs a worker trains now are left to it; finished runs' folders and
 * checkpoints are never touched, so the next `compare --queue` of that folder queues what is left.
 */
export async function clearQueue(options: ClearOptions): Promise<ClearResult> {
  if (!options.all === !options.outDir) throw new SssegError('queue clear needs --out <comparison folder> or --all');
  await checkRedis(options.queueUrl);
  const folder = options.outDir ? path.resolve(options.outDir) : undefined;
  const queue = new RunQueue(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: connectionOptions(options.queueUrl) });
  const result: ClearResult = { removed: [], active: [] };
  try {
    for (const { job, state } of await jobsByState(queue)) {
      if (folder && comparisonFolderOf(job) !== folder) continue;
      if (state === 'active') result.active.push(String(job.id));
      else if (state === 'waiting' || state === 'failed') {
        await job.remove();
        result.removed.push(String(job.id));
      }
    }
  } finally {
    await queue.close();
  }
  return result;
}

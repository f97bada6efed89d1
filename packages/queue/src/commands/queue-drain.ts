import type { Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME } from '../run-job';
import { checkRedis, connectionOptions } from '../redis-url';
import { RunQueue } from '../payload';

/** The Redis key holding when workers were last asked to drain (ms since the epoch). */
export function drainKey(queue: Pick<Queue, 'toKey'>): string {
  return queue.toKey('ssseg-drain-requested');
}

/**
 * Asks every worker of the queue to stop once its run under way has finished: they read this
 * request every few seconds and between runs. Workers started afterwards are not affected. Returns
 * how many workers were connected to the queue.
 */
export async function drainWorkers(options: { queueUrl: string; queueName?: string }): Promise<{ workers: number }> {
  await checkRedis(options.queueUrl);
  const queue = new RunQueue(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: connectionOptions(options.queueUrl) });
  try {
    await (await queue.client).set(drainKey(queue), String(Date.now()));
    return { workers: (await queue.getWorkers()).length };
  } finally {
    await queue.close();
  }
}

/** A BullMQ queue or worker: its Redis client and key names. */
interface QueueClient {
  client: Promise<{ get(key: string): Promise<string | null> }>;
  toKey(type: string): string;
}

/** When draining was last asked for, or undefined if never. */
export async function drainRequestedAt(queue: QueueClient): Promise<number | undefined> {
  const value = await (await queue.client).get(drainKey(queue));
  return value ? Number(value) : undefined;
}

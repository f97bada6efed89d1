import * as path from 'path';
import type { Job } from 'bullmq';
import { DEFAULT_QUEUE_NAME } from '../run-job';
import { checkRedis, connectionOptions } from '../redis-url';
import { RunQueue, unreadablePayload } from '../payload';
import { runFolderState } from '../run-folder-state';

/** Job states as the queue commands count them. */
export type QueuedState = 'waiting' | 'active' | 'failed' | 'done';

/** The counts of one comparison's jobs (or of the whole queue). */
export interface QueueCounts {
  waiting: number;
  active: number;
  failed: number;
  done: number;
}

export interface ComparisonStatus extends QueueCounts {
  /** The comparison folder the jobs' runs write to (or why it is unknown). */
  folder: string;
}

export interface QueueStatus {
  queue: string;
  total: QueueCounts;
  comparisons: ComparisonStatus[];
}

/** BullMQ's states, folded into the four a user asks about. */
export const BULLMQ_STATES: Record<string, QueuedState> = {
  // BullMQ's 'waiting' includes the jobs of a paused queue
  waiting: 'waiting', prioritized: 'waiting', delayed: 'waiting', 'waiting-children': 'waiting',
  active: 'active', failed: 'failed', completed: 'done',
};

/**
 * The comparison folder a job's run belongs to: its run folder without the run id's parts
 * (`/runs/cmp/fixmatch+kl/1_64/seed1` with run id `fixmatch+kl/1_64/seed1` -> `/runs/cmp`).
 */
export function comparisonFolderOf(job: Pick<Job, 'data' | 'id'>): string {
  const data = job.data as { dir?: unknown; runId?: unknown } | null;
  if (unreadablePayload(data) || typeof data?.dir !== 'string' || typeof data.runId !== 'string') return '(unreadable job data)';
  let folder = data.dir;
  for (let i = 0; i < data.runId.split('/').length; i++) folder = path.dirname(folder);
  return folder;
}

/** Every job of the queue, with its state folded into waiting / active / failed / done. */
export async function jobsByState(queue: RunQueue): Promise<{ job: Job; state: QueuedState }[]> {
  const out: { job: Job; state: QueuedState }[] = [];
  for (const [bullState, state] of Object.entries(BULLMQ_STATES)) {
    for (const job of await queue.getJobs([bullState as 'waiting'])) if (job) out.push({ job, state });
  }
  return out;
}

/**
 * A job's state, with its run folder's word over Redis': a job whose run a process trains (its
 * LOCK is live) is active whatever list it is in. A worker that was paused or cut off past its
 * queue lock keeps training while BullMQ moves its job back to the waiting list.
 */
function reconciledState(job: Job, state: QueuedState): QueuedState {
  const dir = (job.data as { dir?: unknown } | null)?.dir;
  if (state === 'done' || state === 'active' || typeof dir !== 'string' || !path.isAbsolute(dir)) return state;
  return runFolderState(dir).kind === 'training' ? 'active' : state;
}

/** Waiting, active, failed and done runs of a queue, per comparison folder. */
export async function queueStatus(options: { queueUrl: string; queueName?: string }): Promise<QueueStatus> {
  await checkRedis(options.queueUrl);
  const name = options.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new RunQueue(name, { connection: connectionOptions(options.queueUrl) });
  try {
    const total: QueueCounts = { waiting: 0, active: 0, failed: 0, done: 0 };
    const byFolder = new Map<string, ComparisonStatus>();
    for (const listed of await jobsByState(queue)) {
      const { job } = listed;
      const state = reconciledState(job, listed.state);
      const folder = comparisonFolderOf(job);
      const row = byFolder.get(folder) ?? { folder, waiting: 0, active: 0, failed: 0, done: 0 };
      row[state]++;
      total[state]++;
      byFolder.set(folder, row);
    }
    return { queue: name, total, comparisons: [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder)) };
  } finally {
    await queue.close();
  }
}

/** The status as a table for the terminal. */
export function formatQueueStatus(status: QueueStatus): string {
  const t = status.total;
  const head = `queue '${status.queue}': ${t.waiting} waiting, ${t.active} active, ${t.failed} failed, ${t.done} done`;
  if (!status.comparisons.length) return `${head}\n`;
  const width = Math.max('comparison'.length, ...status.comparisons.map((c) => c.folder.length));
  const row = (folder: string, cells: (string | number)[]) => `${folder.padEnd(width)}  ${cells.map((c) => String(c).padStart(7)).join('  ')}`;
  return [
    head, '',
    row('comparison', ['waiting', 'active', 'failed', 'done']),
    ...status.comparisons.map((c) => row(c.folder, [c.waiting, c.active, c.failed, c.done])),
  ].join('\n') + '\n';
}

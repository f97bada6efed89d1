import { Job, Queue, Worker, type JobJsonRaw, type MinimalQueue } from 'bullmq';

/**
 * A job's data as Redis holds it is JSON text that BullMQ parses while it builds the job: text
 * that does not parse (written by another program, or torn) threw there, before any job code
 * ran, so the job stayed active with no id in the error and was retried at every stall check.
 * Here such text becomes a payload that names why it is unreadable, and the job fails once.
 */
const UNREADABLE = '__unreadablePayload';

/** The job's data text, or a payload saying why it is not JSON. */
export function readablePayloadText(text: string | undefined): string {
  try {
    JSON.parse(text || '{}');
    return text || '{}';
  } catch (error) {
    return JSON.stringify({ [UNREADABLE]: `not JSON (${(error as Error).message})` });
  }
}

/** Why a job's data could not be read, or undefined when it could. */
export function unreadablePayload(data: unknown): string | undefined {
  const reason = (data as Record<string, unknown> | null)?.[UNREADABLE];
  return data !== null && typeof data === 'object' && typeof reason === 'string' ? reason : undefined;
}

/** A BullMQ job that can be built from data that is not JSON (see readablePayloadText). */
export class TolerantJob extends Job {
  static override fromJSON<T = any, R = any, N extends string = string>(queue: MinimalQueue, json: JobJsonRaw, jobId?: string): Job<T, R, N> {
    return super.fromJSON<T, R, N>(queue, { ...json, data: readablePayloadText(json.data) }, jobId);
  }
}

/** The queue the comparison commands read: a job with unreadable data is reported, not a crash. */
export class RunQueue extends Queue {
  protected override get Job(): typeof Job {
    return TolerantJob as typeof Job;
  }
}

/** The worker's BullMQ worker: a job with unreadable data reaches the processor, which fails it once. */
export class RunWorker extends Worker {
  protected override get Job(): typeof Job {
    return TolerantJob as typeof Job;
  }
}

import { injectable } from 'inversify';
import { lockFolder, type CompareExecutor, type QueuedCompareRequest } from '@ssseg/core';
import { enqueueMatrix, plannedMatrix, waitForMatrix } from './enqueue';
import { warnIfNotPersistent } from './redis-persistence';

/**
 * `ssseg compare --queue redis://...`: queues the comparison's runs for `ssseg worker`s, then (unless
 * told not to wait) follows them and writes the report. One follower per comparison folder.
 */
@injectable()
export class QueuedCompare implements CompareExecutor {
  readonly type = 'queue';
  readonly schemes = ['redis:', 'rediss:'];

  async execute(request: QueuedCompareRequest): Promise<void> {
    const { outDir, queueUrl, queueName, attempts } = request;
    const matrix = plannedMatrix(request);
    await warnIfNotPersistent(queueUrl);
    // one follower per comparison folder (and no local compare beside it): two would queue runs again and write the report together
    const lock = lockFolder(outDir, 'ssseg compare --queue', { onTakeOver: (message) => process.stderr.write(`${message}\n`) });
    const stopFollowing = (signal: NodeJS.Signals) => {
      lock.release();
      process.stderr.write(`\ncompare --queue: ${signal}: stopped following; the runs stay queued for the workers (run the same command again to follow them)\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stopFollowing);
    process.once('SIGTERM', stopFollowing);
    try {
      const queued = await enqueueMatrix(request, matrix);
      process.stderr.write(`queued ${queued.enqueued.length} runs (${queued.alreadyQueued.length} already queued, ${queued.done.length} done)\n`);
      if (!request.wait) return;
      const result = await waitForMatrix({ outDir, queueUrl, queueName, attempts });
      for (const f of result.failed) process.stdout.write(`failed: ${f.id}: ${f.reason}\n`);
      process.stdout.write(`report: ${result.report.markdown}\n        ${result.report.html}\n`);
    } finally {
      process.removeListener('SIGINT', stopFollowing);
      process.removeListener('SIGTERM', stopFollowing);
      lock.release();
    }
  }
}

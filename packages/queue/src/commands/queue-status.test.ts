import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { lastLoggedStep } from '@ssseg/core';
import { readMatrixIndex } from '@ssseg/report';
import { enqueueMatrix } from '../enqueue';
import { RunQueue } from '../payload';
import { connectionOptions } from '../redis-url';
import { jobIdFor } from '../run-job';
import { startProcess } from '../testing/cli-process';
import { describeRedis } from '../testing/redis-suite';
import { startWorkerProcess } from '../testing/worker-process';

jest.setTimeout(240_000);

describeRedis('ssseg queue status of a worker paused past its queue lock, then resumed', ({ redis, root }) => {
  it('counts the job it trains as active, though BullMQ has moved it back to the waiting list', async () => {
    const file = path.join(root, 'compare.yaml');
    fs.writeFileSync(file, YAML.stringify({
      base: {
        method: { type: 'plain-supervised' },
        model: { type: 'tiny' },
        data: { type: 'stripes', train: 8, split: 'a' },
        train: { epochs: 20, batchSize: 2, lr: 0.05, seed: 1, optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 1e-4 } },
        engine: { backend: 'cpu' },
      },
    }));
    const outDir = path.join(root, 'cmp');
    await enqueueMatrix({ file, outDir, queueUrl: redis.url, queueName: 'status' });
    const [run] = readMatrixIndex(outDir).runs;
    // the worker's queue lock lasts 4 s (test-support/worker-main.ts)
    const worker = await startWorkerProcess(redis.url, 'status', { slowMs: 150 });
    const metrics = path.join(outDir, run.dir, 'metrics.jsonl');
    for (const t = Date.now(); (lastLoggedStep(metrics) ?? 0) < 1; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - t > 60_000) throw new Error(`the run did not start:\n${worker.stderr()}`);
    }
    worker.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 6000));
    worker.child.kill('SIGCONT');

    const queue = new RunQueue('status', { connection: connectionOptions(redis.url) });
    try {
      const job = (await queue.getJob(jobIdFor(outDir, run.id)))!;
      for (const t = Date.now(); (await job.getState()) !== 'waiting'; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() - t > 30_000) throw new Error(`the job did not go back to waiting: ${await job.getState()}`);
      }
      const status = startProcess(['queue', 'status', '--queue', redis.url, '--queue-name', 'status', '--json']);
      expect(await status.exited).toBe(0);
      expect(fs.existsSync(path.join(outDir, run.dir, 'DONE'))).toBe(false); // still being trained while status read
      expect(JSON.parse(status.stdout())).toMatchObject({ total: { waiting: 0, active: 1, failed: 0, done: 0 } });
      // the worker finishes the run; taking the job from the waiting list again, it finds DONE and completes it
      for (const t = Date.now(); (await job.getState()) !== 'completed'; await new Promise((r) => setTimeout(r, 100))) {
        if (Date.now() - t > 120_000) throw new Error(`the job did not complete: ${await job.getState()}`);
      }
    } finally {
      await queue.close();
    }
  });
});

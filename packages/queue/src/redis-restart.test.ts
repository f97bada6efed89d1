import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { lastLoggedStep } from '@ssseg/core';
import { collectRuns, readMatrixIndex } from '@ssseg/report';
import { bundleForNode } from './testing/bundle';
import { startProcess } from './testing/cli-process';
import { describeRedis } from './testing/redis-suite';
import { startWorkerProcess } from './testing/worker-process';

// a worker and a follower process on a loaded 2-core machine
jest.setTimeout(240_000);

describeRedis('a Redis without persistence restarted in the middle of a queued matrix', ({ redis, root }) => {
  it('loses no run: the follower counts the run being trained as active, queues the lost one again, and reports both finished', async () => {
    const file = path.join(root, 'compare.yaml');
    fs.writeFileSync(file, YAML.stringify({
      name: 'restart',
      base: {
        method: { type: 'plain-supervised' },
        model: { type: 'tiny' },
        data: { type: 'stripes', train: 8, split: 'a' },
        train: { epochs: 5, batchSize: 2, lr: 0.05, seed: 1, optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 1e-4 } },
        engine: { backend: 'cpu' },
      },
      seeds: [1, 2],
    }));
    const outDir = path.join(root, 'cmp');
    const follower = startProcess([], {
      script: await bundleForNode(path.join(__dirname, '../test-support/compare-main.ts'), path.join(__dirname, '../.test-build/compare-main.js')),
      env: { ...process.env, COMPARE_FILE: file, OUT_DIR: outDir, QUEUE_URL: redis.url, QUEUE_NAME: 'restart' },
    });
    await follower.waitFor(/queued 2 runs/);
    expect(follower.stderr()).toContain(`warning: Redis at 127.0.0.1:${redis.port} does not persist the queue (appendonly no, no RDB save)`);

    // one worker: the first run trains while the second waits in Redis
    const worker = await startWorkerProcess(redis.url, 'restart', { slowMs: 150, verbose: true });
    await worker.waitFor(/active \S+/);
    const [first, second] = readMatrixIndex(outDir).runs;
    expect(worker.stdout()).toContain(`active ${first.id}`);
    const metrics = path.join(outDir, first.dir, 'metrics.jsonl');
    for (const t = Date.now(); (lastLoggedStep(metrics) ?? 0) < 2; await new Promise((r) => setTimeout(r, 20))) {
      if (Date.now() - t > 60_000) throw new Error(`the first run did not start:\n${worker.stderr()}`);
    }
    const pidBefore = redis.pid();
    await redis.crash();
    await redis.restart();
    expect(redis.pid()).not.toBe(pidBefore);

    expect(await follower.exited).toBe(0);
    const err = follower.stderr();
    expect(err).toContain(`matrix: ${second.id} was in no list of queue restart and no worker holds its folder (Redis restarted without persistence, or its job was removed): queued again`);
    expect(err).not.toMatch(/failed: |not in queue/);
    expect(err.trim().split('\n').filter((l) => l.startsWith('matrix: ')).pop()).toMatch(/^matrix: 2\/2 done, 0 active, 0 waiting, 0 failed$/);
    expect(follower.stdout()).not.toContain('failed:');
    // the worker kept training its run through the restart, wrote DONE, reconnected and took the queued-again run
    expect(worker.stdout()).toContain(`active ${second.id}`);
    expect(worker.child.exitCode).toBeNull();
    expect(worker.stderr()).toMatch(/could not renew lock for job \S+seed1: Redis restarted or this worker was paused past --lock-duration; the run goes on/);
    const runs = collectRuns(outDir);
    expect(runs.summary.missing).toEqual([]);
    expect(runs.results.map((r) => [r.id, r.steps])).toEqual([[first.id, 20], [second.id, 20]]);
    expect(fs.readFileSync(path.join(outDir, 'report.md'), 'utf8')).toContain('2 finished, 0 missing');
    worker.child.kill('SIGTERM');
    await worker.exited;
  });
});

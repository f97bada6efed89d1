import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { Queue } from 'bullmq';
import { initEngine, tf } from '@ssseg/engine';
import { PluginHost, loadTensorFile, readMetrics } from '@ssseg/core';
import { Runner } from '@ssseg/runner';
import { collectRuns, readMatrixIndex, writeReport } from '@ssseg/report';
import { fixturesPlugin, stripesLoader } from '@ssseg/core/testing';

import { enqueueMatrix, waitForMatrix } from './enqueue';
import { connectionOptions } from './redis-url';
import { lastLoggedStep } from '@ssseg/core';
import { describeRedis } from './testing/redis-suite';
import { startWorkerProcess } from './testing/worker-process';
import type { RunJobResult } from './worker';
import { jobIdFor } from './run-job';

const compare = {
  name: 'queued stripes',
  base: {
    method: { type: 'plain-supervised' },
    model: { type: 'tiny' },
    data: { type: 'stripes', train: 8, split: 'a' },
    train: { epochs: 5, batchSize: 2, lr: 0.05, seed: 1, optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 1e-4 } },
    engine: { backend: 'cpu' },
  },
  splits: ['a', 'b'],
  seeds: [1, 2],
};
const STEPS = 20; // 5 epochs x 4 batches

function modelWeights(file: string): Map<string, number[]> {
  const { tensors } = loadTensorFile(file);
  const out = new Map([...tensors].filter(([n]) => n.startsWith('model/')).map(([n, t]) => [n, Array.from(t.dataSync())]));
  tf.dispose([...tensors.values()]);
  return out;
}

describeRedis('a matrix through the queue on two worker processes', ({ redis, root }) => {
  beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

  it('trains every run once, resumes the killed run from its checkpoint, and reports as a local compare', async () => {
    const file = path.join(root, 'compare.yaml');
    fs.writeFileSync(file, YAML.stringify(compare));
    const outDir = path.join(root, 'queued');
    const name = 'it-matrix';

    const queued = await enqueueMatrix({ file, outDir, queueUrl: redis.url, queueName: name, attempts: 2, backoffMs: 100 });
    expect(queued.enqueued).toHaveLength(4);
    const again = await enqueueMatrix({ file, outDir, queueUrl: redis.url, queueName: name });
    expect(again.enqueued).toEqual([]);
    expect(again.alreadyQueued).toHaveLength(4);

    // the second worker starts once the first holds a run, so the first surely has one to be killed in
    const victim = await startWorkerProcess(redis.url, name, { slowMs: 60 });
    await victim.waitFor(/^active /m);
    await startWorkerProcess(redis.url, name, { slowMs: 60 });
    // kill the first worker once its first run has passed a checkpoint (every epoch = 4 steps)
    let killedRun: string | undefined;
    const deadline = Date.now() + 60_000;
    while (!killedRun && Date.now() < deadline) {
      const active = victim.stdout().split('\n').filter((l) => l.startsWith('active ')).map((l) => l.slice('active '.length));
      const current = active[active.length - 1];
      if (current) {
        const step = lastLoggedStep(path.join(outDir, current, 'metrics.jsonl'));
        if (step !== null && step >= 6 && step < STEPS - 4) {
          victim.child.kill('SIGKILL');
          killedRun = current;
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(killedRun).toBeDefined();

    const progress: number[] = [];
    const reported: { step: number; total: number | null }[] = [];
    const waited = await waitForMatrix({
      outDir, queueUrl: redis.url, queueName: name, pollMs: 200,
      onProgress: (p) => {
        progress.push(p.done);
        reported.push(...p.running);
      },
    });
    // workers report the step of their run (read from its metrics) and its planned total
    expect(reported.some((r) => r.step > 0 && r.step <= STEPS && r.total === STEPS)).toBe(true);
    expect(waited.failed).toEqual([]);
    expect(waited.progress).toMatchObject({ total: 4, done: 4 });
    expect(progress[progress.length - 1]).toBe(4);

    const queue = new Queue(name, { connection: connectionOptions(redis.url) });
    try {
      expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active')).toEqual({ completed: 4, failed: 0, wait: 0, active: 0 });
      const killed = (await queue.getJob(jobIdFor(outDir, killedRun!)))!.returnvalue as RunJobResult;
      expect(killed.resumed).toBe(true);
      expect(killed.stepBeforeResume!).toBeGreaterThanOrEqual(6);
    } finally {
      await queue.close();
    }
    for (const run of readMatrixIndex(outDir).runs) {
      const dir = path.join(outDir, run.dir);
      expect(fs.existsSync(path.join(dir, 'DONE'))).toBe(true);
      const metrics = readMetrics(path.join(dir, 'metrics.jsonl'));
      expect(metrics.filter((m) => m.event === 'step').map((m) => m.step)).toEqual([...Array(STEPS).keys()].map((i) => i + 1));
      expect(metrics.filter((m) => m.event === 'eval')).toHaveLength(5);
    }

    // the same matrix trained here, run after run, without a queue
    const localDir = path.join(root, 'local');
    const host = new PluginHost();
    host.load(fixturesPlugin);
    for (const run of readMatrixIndex(outDir).runs) {
      await Runner.fromConfig(run.config, { source: run.id, out: path.join(localDir, run.dir), host, createLoader: stripesLoader, quiet: true }).run();
      expect(modelWeights(path.join(localDir, run.dir, 'last.ckpt'))).toEqual(modelWeights(path.join(outDir, run.dir, 'last.ckpt')));
    }
    fs.copyFileSync(path.join(outDir, 'matrix.json'), path.join(localDir, 'matrix.json'));
    await writeReport(localDir);
    const numbers = (dir: string) =>
      collectRuns(dir).results.map(({ id, finalMiou, bestMiou, perClassIoU, steps }) => ({ id, finalMiou, bestMiou, perClassIoU, steps }));
    expect(numbers(outDir)).toEqual(numbers(localDir));
    expect(numbers(outDir).every((r) => r.finalMiou !== null)).toBe(true);
    expect(fs.existsSync(waited.report.markdown)).toBe(true);
  });
  it('queues a run again whose job is in no list on two polls in a row, while no worker holds its folder', async () => {
    const file = path.join(root, 'compare-removed.yaml');
    fs.writeFileSync(file, YAML.stringify(compare));
    const outDir = path.join(root, 'removed');
    const name = 'it-removed';
    const queued = await enqueueMatrix({ file, outDir, queueUrl: redis.url, queueName: name, attempts: 2, backoffMs: 100 });
    const queue = new Queue(name, { connection: connectionOptions(redis.url) });
    try {
      for (const id of queued.enqueued) await queue.remove(jobIdFor(outDir, id));
      const seen: { waiting: number; failed: number }[] = [];
      await expect(waitForMatrix({
        outDir, queueUrl: redis.url, queueName: name, pollMs: 50, quiet: true, attempts: 2, backoffMs: 100,
        onProgress: (p) => {
          seen.push({ waiting: p.waiting, failed: p.failed });
          if (seen.length === 2) throw new Error('seen twice');
        },
      })).rejects.toThrow('seen twice');
      expect(seen.map((s) => [s.waiting, s.failed])).toEqual([[4, 0], [4, 0]]);
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs.map((j) => j.id).sort()).toEqual(queued.enqueued.map((id) => jobIdFor(outDir, id)).sort());
      expect(jobs[0].opts).toMatchObject({ attempts: 2, backoff: { type: 'exponential', delay: 100 } });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});

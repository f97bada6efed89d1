import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Queue, QueueEvents } from 'bullmq';
import { initEngine, nativeUnavailableReason, tf } from '@ssseg/engine';
import { loadTensorFile, lockFolder, parseRunConfig, readMetrics } from '@ssseg/core';
import { Runner } from '@ssseg/runner';
import { parseRunJob } from './run-job';
import { RunQueue, readablePayloadText } from './payload';
import { connectionOptions } from './redis-url';
import { processRunJob, startWorker, type RunningWorker } from './worker';
import { describeRedis } from './testing/redis-suite';

const dir = path.join(os.tmpdir(), 'ssseg-queue-never-written');
const config = {
  method: { type: 'plain-supervised' },
  model: { type: 'tiny' },
  data: { type: 'stripes' },
  engine: { backend: 'cpu' },
};

describe('job payload', () => {
  it('accepts a run id, an absolute folder and a run config', () => {
    const job = parseRunJob({ runId: 'a+none/1/seed1', dir, config }, '7');
    expect(job.config.train.batchSize).toBe(8);
    expect(job.config.plugins).toEqual([]);
  });

  it.each([
    [{ runId: 'r', dir: 'relative/dir', config }, /job 7: invalid payload:\n {2}dir: must be an absolute folder/],
    [{ runId: 'r', dir, config, script: 'rm -rf /' }, /job 7: invalid payload:\n {2}script: unknown key; known keys: config, dir, runId/],
    [{ runId: 'r', dir }, /job 7: invalid payload:\n {2}config: /],
    [{ runId: 'r', dir, config: { ...config, plugins: ['/tmp/evil.js'] } }, /config\.plugins\[0\]: must be an installed package name, not a path/],
    [{ runId: 'r', dir, config: { ...config, train: { batchSize: -1 } } }, /^job 7: config: invalid config:\n {2}train\.batchSize: /],
  ])('rejects %j with a message naming the field', (data, message) => {
    expect(() => parseRunJob(data, '7')).toThrow(message);
  });

  it('fails a job naming an uninstalled plugin before anything runs', async () => {
    const data = { runId: 'r', dir, config: { ...config, plugins: ['ssseg-plugin-not-installed'] } };
    await expect(processRunJob(data, '8', { queueUrl: 'redis://unused' })).rejects.toThrow(
      /job r: plugin 'ssseg-plugin-not-installed' is not installed .*npx ssseg plugin link/,
    );
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('fails a job whose data is not JSON, naming the job', async () => {
    expect(() => parseRunJob(JSON.parse(readablePayloadText('{"runId": "r",')), '9')).toThrow(
      /^job 9: invalid payload: not JSON \(.*JSON.*\)$/,
    );
    expect(readablePayloadText('{"runId":"r"}')).toBe('{"runId":"r"}');
  });

  it('names the DONE file when it is empty or not a DONE marker', async () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-done-'));
    const done = path.join(runDir, 'DONE');
    fs.writeFileSync(done, '');
    await expect(processRunJob({ runId: 'r', dir: runDir, config }, '10', { queueUrl: 'redis://unused' })).rejects.toThrow(
      `${done}: invalid DONE marker: the file is empty; delete it to resume or train the run again`,
    );
    fs.writeFileSync(done, '{"steps": 3');
    await expect(processRunJob({ runId: 'r', dir: runDir, config }, '10', { queueUrl: 'redis://unused' })).rejects.toThrow(
      new RegExp(`^${done}: invalid DONE marker: .*JSON`),
    );
    fs.writeFileSync(done, '{"steps": -1}');
    await expect(processRunJob({ runId: 'r', dir: runDir, config }, '10', { queueUrl: 'redis://unused' })).rejects.toThrow(`${done}: invalid DONE marker: steps: `);
    expect(fs.readdirSync(runDir)).toEqual(['DONE']);
  });
});

/** Every tensor of a checkpoint (weights and optimizer slots) as raw bytes. */
function checkpointBytes(file: string): Map<string, Buffer> {
  const { tensors } = loadTensorFile(file);
  const out = new Map([...tensors].map(([name, t]) => [name, Buffer.from((t.dataSync() as Float32Array).buffer.slice(0))]));
  tf.dispose([...tensors.values()]);
  return out;
}

describe('a worker taking over a stopped run', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-worker-resume-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
  beforeAll(() => initEngine({ backend, threads: 1, verbose: false }));

  it("continues mid-epoch with the runner's data loader and ends with the weights of a run never stopped", async () => {
    const raw = {
      method: { type: 'fixmatch' },
      model: { type: 'unet', baseWidth: 4, depth: 1 },
      data: { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') },
      train: { epochs: 10, maxSteps: 8, evalEverySteps: 4, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } },
      engine: { backend, threads: 1 },
    };
    const straight = path.join(root, 'straight');
    await Runner.fromConfig(parseRunConfig(raw), { out: straight, quiet: true }).run();
    const taken = path.join(root, 'taken-over');
    const cut = await Runner.fromConfig(parseRunConfig(raw), { out: taken, quiet: true, stopAfterSteps: 3 }).run();
    expect(cut.steps).toBe(3); // epochs are 30 steps: stopped mid-epoch
    const before = tf.memory().numTensors;
    const result = await processRunJob({ runId: 'r', dir: taken, config: raw }, 'j', { queueUrl: 'redis://unused', quiet: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toMatchObject({ resumed: true, steps: 8 });
    expect(readMetrics(path.join(taken, 'metrics.jsonl')).filter((m) => m.event === 'step').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(checkpointBytes(path.join(taken, 'last.ckpt'))).toEqual(checkpointBytes(path.join(straight, 'last.ckpt')));
  });
});

describeRedis('a worker given bad jobs', ({ redis, openQueue }) => {
  let worker: RunningWorker;
  let queue: Queue;
  let events: QueueEvents;
  beforeAll(async () => {
    worker = await startWorker({ queueUrl: redis.url, queueName: 'bad-jobs', quiet: true });
    ({ queue, events } = await openQueue('bad-jobs'));
  });
  afterAll(() => worker?.close());

  it('fails them once, without retries, with the validation message', async () => {
    const opts = { attempts: 3, backoff: { type: 'exponential', delay: 10 } };
    const malformed = await queue.add('run', { runId: 'm', dir: 'not/absolute', config }, { ...opts, jobId: 'malformed' });
    const plugin = await queue.add('run', { runId: 'p', dir, config: { ...config, plugins: ['ssseg-plugin-not-installed'] } }, { ...opts, jobId: 'plugin' });
    await expect(malformed.waitUntilFinished(events, 20_000)).rejects.toThrow('job malformed: invalid payload:\n  dir: must be an absolute folder');
    await expect(plugin.waitUntilFinished(events, 20_000)).rejects.toThrow("plugin 'ssseg-plugin-not-installed' is not installed");
    for (const id of ['malformed', 'plugin']) {
      const job = (await queue.getJob(id))!;
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('fails a job whose stored data is not JSON once, with the job id and the reason', async () => {
    const errors: string[] = [];
    worker.worker.on('error', (error) => errors.push(error.message));
    // delayed, so that its data is torn before the worker can take it
    const job = await queue.add('run', { runId: 'n', dir, config }, { attempts: 3, backoff: { type: 'fixed', delay: 10 }, delay: 1500, jobId: 'not-json' });
    const client = await queue.client;
    await client.hset(queue.toKey('not-json'), { data: '{"runId": "n", "dir": ' });
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/^job not-json: invalid payload: not JSON \(.*\)$/);
    const failed = await new RunQueue('bad-jobs', { connection: connectionOptions(redis.url) });
    try {
      const stored = (await failed.getJob('not-json'))!;
      expect(await stored.getState()).toBe('failed');
      expect(stored.attemptsMade).toBe(1);
      expect(stored.failedReason).toMatch(/^job not-json: invalid payload: not JSON/);
    } finally {
      await failed.close();
    }
    expect(errors).toEqual([]);
  });
});

describeRedis('a worker given a run whose folder another process holds', ({ redis, root, openQueue }) => {
  let worker: RunningWorker;
  let queue: Queue;
  let events: QueueEvents;
  beforeAll(async () => {
    worker = await startWorker({ queueUrl: redis.url, queueName: 'busy', quiet: true, busyRetryMs: 300 });
    ({ queue, events } = await openQueue('busy'));
  });
  afterAll(() => worker?.close());

  it('does not train it a second time: the job waits, without spending an attempt, until the holder has finished', async () => {
    const dir = path.join(root, 'run');
    // the first worker, whose queue lock expired while it kept training, still holds the folder
    const holder = lockFolder(dir, 'ssseg worker, job busy-1');
    const job = await queue.add('run', { runId: 'r', dir, config }, { jobId: 'busy-1', attempts: 1 });
    for (const t = Date.now(); (await job.getState()) !== 'delayed' && Date.now() - t < 20_000; ) await new Promise((r) => setTimeout(r, 50));
    expect(await job.getState()).toBe('delayed');
    expect(fs.readdirSync(dir)).toEqual(['LOCK']); // nothing written by the second worker
    // the holder finishes the run and lets go
    fs.writeFileSync(path.join(dir, 'DONE'), JSON.stringify({ steps: 12, finalMiou: 0.5, bestMiou: 0.6, wallSeconds: 1 }));
    holder.release();
    // the job has one attempt: waiting did not use it up
    const result = await job.waitUntilFinished(events, 20_000);
    expect(result).toMatchObject({ alreadyDone: true, steps: 12, bestMiou: 0.6 });
  });
});

describeRedis('a worker asked to stop its run now (a second SIGTERM)', ({ redis, root, openQueue }) => {
  let queue: Queue;
  let events: QueueEvents;
  const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
  beforeAll(async () => {
    await initEngine({ backend, threads: 1, verbose: false });
    ({ queue, events } = await openQueue('stop'));
  });

  it('checkpoints it after the step under way and puts it back in the queue without spending an attempt; the next worker finishes it', async () => {
    const raw = {
      method: { type: 'supervised' },
      model: { type: 'unet', baseWidth: 4, depth: 1 },
      data: { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') },
      train: { epochs: 10, maxSteps: 6, evalEverySteps: 6, checkpointEverySteps: 100, batchSize: 2 },
      engine: { backend, threads: 1 },
    };
    const dir = path.join(root, 'run');
    let steps = 0;
    let first: RunningWorker | undefined;
    first = await startWorker({
      queueUrl: redis.url, queueName: 'stop', quiet: true,
      stopRequested: () => {
        if (++steps < 3) return false;
        void first!.close(); // as the first SIGTERM did: no new job for this worker
        return true;
      },
    });
    const job = await queue.add('run', { runId: 'r', dir, config: raw }, { jobId: 'stop-1', attempts: 1 });
    for (const t = Date.now(); !fs.existsSync(path.join(dir, 'last.ckpt')) && Date.now() - t < 60_000; ) await new Promise((r) => setTimeout(r, 50));
    await first.close();
    expect(['delayed', 'waiting']).toContain(await job.getState());
    expect(fs.existsSync(path.join(dir, 'DONE'))).toBe(false);
    const { tensors } = loadTensorFile(path.join(dir, 'last.ckpt'));
    tf.dispose([...tensors.values()]);
    expect(readMetrics(path.join(dir, 'metrics.jsonl')).filter((m) => m.event === 'step').map((m) => m.step)).toEqual([1, 2, 3]);

    const second = await startWorker({ queueUrl: redis.url, queueName: 'stop', quiet: true });
    try {
      // one attempt only: had stopping spent it, the job would have failed
      const result = await job.waitUntilFinished(events, 60_000);
      expect(result).toMatchObject({ resumed: true, steps: 6 });
      expect(readMetrics(path.join(dir, 'metrics.jsonl')).filter((m) => m.event === 'step').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(fs.existsSync(path.join(dir, 'DONE'))).toBe(true);
    } finally {
      await second.close();
    }
  }, 180_000);
});

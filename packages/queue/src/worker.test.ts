import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Queue, QueueEvents } from 'bullmq';
import { parseRunJob } from './run-job';
import { RunQueue, readablePayloadText } from './payload';
import { connectionOptions } from './redis-url';
import { processRunJob, startWorker, type RunningWorker } from './worker';
import { hasRedisServer, startRedis, type TestRedis } from './testing/redis-server';

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
      /job r: plugin 'ssseg-plugin-not-installed' is not installed .*npm install ssseg-plugin-not-installed/,
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

const describeRedis = hasRedisServer() ? describe : describe.skip;
if (!hasRedisServer()) console.warn('redis-server is not installed: the worker queue test is skipped');

describeRedis('a worker given bad jobs', () => {
  let redis: TestRedis;
  let worker: RunningWorker;
  let queue: Queue;
  let events: QueueEvents;
  beforeAll(async () => {
    redis = await startRedis();
    worker = await startWorker({ queueUrl: redis.url, queueName: 'bad-jobs', quiet: true });
    queue = new Queue('bad-jobs', { connection: connectionOptions(redis.url) });
    events = new QueueEvents('bad-jobs', { connection: connectionOptions(redis.url) });
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await events?.close();
    await redis?.stop();
  });

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
    await client.hset(queue.toKey('not-json'), 'data', '{"runId": "n", "dir": ');
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

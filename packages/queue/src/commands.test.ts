import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { Command } from 'commander';
import { Queue } from 'bullmq';
import { registerQueueCommands } from './commands';
import { QueuedCompare } from './queued-compare';
import { connectionOptions } from './redis-url';
import { jobIdFor } from './run-job';
import { describeRedis } from './testing/redis-suite';

function program(): Command {
  const p = new Command('ssseg').exitOverride().option('--backend <name>');
  registerQueueCommands(p);
  return p;
}

describe('queue commands', () => {
  it('worker rejects a malformed queue URL', async () => {
    await expect(program().parseAsync(['worker', '--queue', 'redis://host:abc'], { from: 'user' })).rejects.toThrow(
      "malformed Redis URL 'redis://host:abc'",
    );
  });
  it('worker rejects a concurrency that is not a positive integer', async () => {
    await expect(program().parseAsync(['worker', '--queue', 'redis://h', '--concurrency', '0'], { from: 'user' })).rejects.toThrow(
      "--concurrency must be a positive integer, got '0'",
    );
  });
  it('worker rejects a thread count that is not a positive integer', async () => {
    await expect(program().parseAsync(['worker', '--queue', 'redis://h', '--threads', '1.5'], { from: 'user' })).rejects.toThrow(
      "--threads must be a positive integer, got '1.5'",
    );
  });
});

describeRedis('the queued compare (compare --queue), not waiting', ({ redis }) => {
  it('queues one job per run with the run folder and the overridden config', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-queue-cmd-'));
    const file = path.join(root, 'cmp.yaml');
    fs.writeFileSync(file, YAML.stringify({
      base: { method: { type: 'plain-supervised' }, model: { type: 'tiny' }, data: { type: 'stripes', split: 'a' } },
      seeds: [1, 2, 3],
    }));
    const out = path.join(root, 'out');
    const request = { file, queueUrl: redis.url, queueName: 'cmd', attempts: 3, wait: false, overrides: {} };
    await new QueuedCompare().execute({ ...request, outDir: out, maxSteps: 5, backend: 'cpu' });
    const queue = new Queue('cmd', { connection: connectionOptions(redis.url) });
    try {
      const ids = ['plain-supervised+none/a/seed1', 'plain-supervised+none/a/seed2', 'plain-supervised+none/a/seed3'];
      const jobs = await queue.getJobs(['waiting']);
      expect(jobs.map((j) => j.id).sort()).toEqual(ids.map((id) => jobIdFor(out, id)).sort());
      const job = jobs.find((j) => j.data.runId === 'plain-supervised+none/a/seed2')!;
      expect(job.data.dir).toBe(path.join(out, 'plain-supervised+none/a/seed2'));
      expect(job.data.config.train).toMatchObject({ seed: 2, maxSteps: 5 });
      expect(job.data.config.engine.backend).toBe('cpu');
      expect(job.opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 5000 } });
      expect(fs.existsSync(path.join(out, 'matrix.json'))).toBe(true);

      // the same runs of a comparison in another folder are other jobs, not duplicates of these
      const other = path.join(root, 'other');
      await new QueuedCompare().execute({ ...request, outDir: other });
      const all = await queue.getJobs(['waiting']);
      expect(all).toHaveLength(6);
      expect(all.filter((j) => j.data.dir.startsWith(other + path.sep)).map((j) => j.data.runId).sort()).toEqual(ids);
    } finally {
      await queue.close();
    }
  });
});

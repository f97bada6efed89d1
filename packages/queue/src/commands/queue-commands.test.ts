import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { Command } from 'commander';
import { registerQueueCommands } from '../commands';
import { QueuedCompare } from '../queued-compare';
import { waitForMatrix, type MatrixProgress } from '../enqueue';
import { connectionOptions } from '../redis-url';
import { RunQueue } from '../payload';
import { drainRequestedAt } from './queue-drain';
import { describeRedis } from '../testing/redis-suite';
import { startProcess } from '../testing/cli-process';

/** The program with the queue's commands, capturing stdout and stderr. */
async function ssseg(args: string[]): Promise<{ out: string; err: string }> {
  const p = new Command('ssseg').exitOverride().option('--backend <name>');
  registerQueueCommands(p);
  const out: string[] = [], err: string[] = [];
  const saved = [process.stdout.write, process.stderr.write] as const;
  process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    await p.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = saved[0];
    process.stderr.write = saved[1];
  }
  return { out: out.join(''), err: err.join('') };
}

describeRedis('ssseg queue status, clear and drain', ({ redis, root }) => {
  const file = path.join(root, 'cmp.yaml');
  fs.writeFileSync(file, YAML.stringify({
    base: { method: { type: 'plain-supervised' }, model: { type: 'tiny' }, data: { type: 'stripes', split: 'a' } },
    seeds: [1, 2, 3],
  }));
  const killed = path.join(root, 'killed');
  const current = path.join(root, 'current');
  const queueArgs = () => ['--queue', redis.url, '--queue-name', 'manage'];

  it('status counts the runs of each comparison; a second compare sees the runs a killed one left', async () => {
    // a compare --queue killed after queueing (--no-wait stands for it), then another comparison
    for (const out of [killed, current]) {
      await new QueuedCompare().execute({ file, outDir: out, queueUrl: redis.url, queueName: 'manage', attempts: 3, wait: false, overrides: {} });
    }
    const status = JSON.parse((await ssseg(['queue', 'status', ...queueArgs(), '--json'])).out);
    expect(status.total).toEqual({ waiting: 6, active: 0, failed: 0, done: 0 });
    expect(status.comparisons).toEqual([
      { folder: current, waiting: 3, active: 0, failed: 0, done: 0 },
      { folder: killed, waiting: 3, active: 0, failed: 0, done: 0 },
    ]);
    const table = (await ssseg(['queue', 'status', ...queueArgs()])).out;
    expect(table).toMatch(/^queue 'manage': 6 waiting, 0 active, 0 failed, 0 done\n/);
    expect(table).toContain(`\n${killed.padEnd(current.length)}        3        0        0        0\n`);

    // following the current comparison names the other's runs that the workers also take
    let first: MatrixProgress | undefined;
    await expect(waitForMatrix({
      outDir: current, queueUrl: redis.url, queueName: 'manage',
      onProgress: (p) => {
        first = p;
        throw new Error('seen');
      },
    })).rejects.toThrow('seen');
    expect(first).toMatchObject({ total: 3, waiting: 3, otherWaiting: 3 });
  });

  it('clear removes the waiting runs of one comparison, and needs --out or --all', async () => {
    await expect(ssseg(['queue', 'clear', ...queueArgs()])).rejects.toThrow('queue clear needs --out <comparison folder> or --all');
    expect((await ssseg(['queue', 'clear', ...queueArgs(), '--out', killed])).out).toBe('removed 3 queued runs\n');
    const status = JSON.parse((await ssseg(['queue', 'status', ...queueArgs(), '--json'])).out);
    expect(status.comparisons).toEqual([{ folder: current, waiting: 3, active: 0, failed: 0, done: 0 }]);
    expect((await ssseg(['queue', 'clear', ...queueArgs(), '--all'])).out).toBe('removed 3 queued runs\n');
    expect(JSON.parse((await ssseg(['queue', 'status', ...queueArgs(), '--json'])).out).total).toEqual({ waiting: 0, active: 0, failed: 0, done: 0 });
  });

  it('a worker says what SIGTERM does and exits when idle; drain stops a running worker', async () => {
    const worker = startProcess(['worker', ...queueArgs()]);
    await worker.waitFor(/waiting for runs/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.stderr()).toContain('worker: SIGTERM: no new runs; no run is under way, then it exits (SIGTERM again: checkpoint it now and exit)');

    const drained = startProcess(['worker', ...queueArgs()]);
    await drained.waitFor(/waiting for runs/);
    const before = Date.now();
    expect((await ssseg(['queue', 'drain', ...queueArgs()])).out).toBe('asked 1 worker to exit after the run under way (they check every few seconds)\n');
    expect(await drained.exited).toBe(0);
    expect(drained.stderr()).toContain('worker: asked to drain (ssseg queue drain): no new runs; no run is under way, then it exits');
    const queue = new RunQueue('manage', { connection: connectionOptions(redis.url) });
    try {
      expect(await drainRequestedAt(queue)).toBeGreaterThanOrEqual(before);
    } finally {
      await queue.close();
    }
  }, 120_000);
});

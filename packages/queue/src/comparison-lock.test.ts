import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { LOCK_FILE } from '@ssseg/core';
import { startProcess } from './testing/cli-process';
import type { TestRedis } from './testing/redis-server';
import { describeRedis } from './testing/redis-suite';

// several CLI processes on a loaded 2-core machine
jest.setTimeout(240_000);

describeRedis("compare --queue's comparison folder lock and Redis persistence warning", ({ redis, root, startRedis }) => {
  const file = path.join(root, 'cmp.yaml');
  // real component types: compare --queue checks every run's config against the installed plugins before queueing
  fs.writeFileSync(file, YAML.stringify({ base: { method: { type: 'supervised' }, model: { type: 'unet', baseWidth: 4, depth: 1 }, data: { type: 'mnist-seg', split: '1_16' } }, seeds: [1, 2] }));
  const compareQueue = (server: TestRedis, out: string, ...more: string[]) =>
    startProcess(['compare', '--config', file, '--queue', server.url, '--queue-name', 'lock', '--out', out, ...more]);

  it('lets one follower at a time follow a comparison folder; the second is refused, naming the folder and the first', async () => {
    const out = path.join(root, 'two');
    const first = compareQueue(redis, out);
    await first.waitFor(/matrix: 0\/2 done/);
    const holder = JSON.parse(fs.readFileSync(path.join(out, LOCK_FILE), 'utf8'));
    const second = compareQueue(redis, out, '--no-wait');
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(
      `ssseg: ${out}: is in use by ssseg compare --queue (pid ${first.child.pid} on ${os.hostname()}, since ${holder.started}): wait for it to end or stop it\n`,
    );
    expect(second.stderr()).not.toMatch(/^queued /m);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.stderr()).toContain('compare --queue: SIGINT: stopped following; the runs stay queued for the workers (run the same command again to follow them)');
    expect(fs.existsSync(path.join(out, LOCK_FILE))).toBe(false);
    const third = compareQueue(redis, out, '--no-wait');
    expect(await third.exited).toBe(0);
    expect(third.stderr()).toContain('queued 0 runs (2 already queued, 0 done)');
  });

  it("takes over a comparison folder's lock from another host once it went unrefreshed for the stale time, not before", async () => {
    const server = await startRedis();
    const out = path.join(root, 'foreign');
    fs.mkdirSync(out);
    const lock = path.join(out, LOCK_FILE);
    const foreign = { pid: 4242, host: 'gpu-node-7', started: '2026-01-01T00:00:00.000Z', purpose: 'ssseg compare --queue' };
    fs.writeFileSync(lock, JSON.stringify(foreign));
    const fresh = compareQueue(server, out, '--no-wait');
    expect(await fresh.exited).toBe(1);
    expect(fresh.stderr()).toMatch(new RegExp(
      `is in use by ssseg compare --queue \\(pid 4242 on gpu-node-7, since ${foreign.started}\\): wait for it to end; its lock was refreshed \\d+ s ago, and is taken over once it goes 5 min without a refresh`,
    ));
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, hourAgo, hourAgo);
    const stale = compareQueue(server, out, '--no-wait');
    expect(await stale.exited).toBe(0);
    expect(stale.stderr()).toContain(
      `${out}: taking over the lock of ssseg compare --queue (pid 4242 on gpu-node-7, since ${foreign.started}), from another host, not refreshed for 60 min (a lock from another host is taken over after 5 min without a refresh)\n`,
    );
    expect(stale.stderr()).toContain('queued 2 runs');
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('warns, in one line, when Redis does not persist the queue or will not say', async () => {
    const none = await startRedis();
    const worker = startProcess(['worker', '--queue', none.url, '--queue-name', 'lock']);
    await worker.waitFor(/waiting for runs/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const warning = `warning: Redis at 127.0.0.1:${none.port} does not persist the queue (appendonly no, no RDB save): a restart of it loses the queued runs ` +
      "('compare --queue' queues them again from the run folders while it follows its matrix); start it with --appendonly yes\n";
    expect(worker.stderr()).toContain(warning);

    const persistent = await startRedis({ appendonlyDir: fs.mkdtempSync(path.join(root, 'aof-')) });
    const quiet = compareQueue(persistent, path.join(root, 'aof'), '--no-wait');
    expect(await quiet.exited).toBe(0);
    expect(quiet.stderr()).not.toContain('warning');

    const noConfig = await startRedis({ args: ['--rename-command', 'CONFIG', ''] });
    const unknown = compareQueue(noConfig, path.join(root, 'unknown'), '--no-wait');
    expect(await unknown.exited).toBe(0);
    expect(unknown.stderr()).toMatch(new RegExp(`^warning: Redis at 127.0.0.1:${noConfig.port}: persistence unknown \\(CONFIG GET refused: ERR unknown command .CONFIG.*\\); ` +
      'without appendonly or RDB saves, a restart of it loses the queued runs', 'm'));
  });
});

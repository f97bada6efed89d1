import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { readMatrixIndex } from '@ssseg/report';
import { connectionOptions } from './redis-url';
import { jobIdFor } from './run-job';
import { RunQueue } from './payload';
import { hasRedisServer, startRedis, type TestRedis } from './testing/redis-server';

const bin = path.resolve(__dirname, '../../cli/dist/bin.js');
const describeRedis = hasRedisServer() ? describe : describe.skip;
if (!hasRedisServer()) console.warn('redis-server is not installed: the bad payload test is skipped');

/** Output lines of a process, gathered as they come. */
function collect(child: ChildProcess): { lines: string[]; exit: Promise<number | null> } {
  const lines: string[] = [];
  const add = (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', add);
  child.stderr!.on('data', add);
  return { lines, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

/**
 * A job whose data another program left unreadable, met as a user meets it: `ssseg worker` and
 * `ssseg compare --queue` in their own processes. The job fails once, with its id and the reason,
 * and the comparison reports it as failed.
 */
describeRedis('a queued run whose job data is not JSON', () => {
  let redis: TestRedis;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await redis?.stop();
  });

  const ssseg = (args: string[]) => {
    const child = spawn(process.execPath, [bin, '--backend', 'cpu', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return collect(child);
  };

  it('fails once through the worker, and compare --queue reports it without a stack trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bad-payload-'));
    const file = path.join(dir, 'compare.yaml');
    fs.writeFileSync(file, YAML.stringify({
      base: { model: { type: 'unet', baseWidth: 4, depth: 1 }, data: { type: 'mnist-seg', size: 16, valSize: 4, split: '1_4' }, train: { maxSteps: 1 } },
    }));
    const outDir = path.join(dir, 'out');
    const queueArgs = ['--queue', redis.url, '--queue-name', 'torn'];
    const queued = spawnSync(process.execPath, [bin, 'compare', '--config', file, '--out', outDir, '--no-wait', ...queueArgs], { encoding: 'utf8' });
    expect(queued.stderr).toContain('queued 1 runs');
    const runId = readMatrixIndex(outDir).runs[0].id;
    const jobId = jobIdFor(outDir, runId);

    const queue = new RunQueue('torn', { connection: connectionOptions(redis.url) });
    try {
      await (await queue.client).hset(queue.toKey(jobId), { data: '{"runId": "torn", "dir": ' });
      const compare = ssseg(['compare', '--config', file, '--out', outDir, ...queueArgs]);
      // the worker starts once compare --queue found the job still queued (a failed one it would queue afresh)
      for (let t = Date.now(); !compare.lines.some((l) => l.startsWith('queued ')) && Date.now() - t < 60_000; ) await new Promise((r) => setTimeout(r, 50));
      expect(compare.lines).toContain('queued 0 runs (1 already queued, 0 done)');
      const worker = ssseg(['worker', ...queueArgs, '--lock-duration', '2000']);
      expect(await compare.exit).toBe(0);
      expect(compare.lines).toContain(`failed: ${runId}: job ${jobId}: invalid payload: not JSON (${JSON_ERROR})`);
      expect(compare.lines.join('\n')).not.toMatch(/^\s+at /m);

      // a few stall checks (every second) later, the job has failed once and stays failed
      await new Promise((r) => setTimeout(r, 4000));
      const job = (await queue.getJob(jobId))!;
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      const failures = worker.lines.filter((l) => l.includes('failed'));
      expect(failures).toEqual([`worker: ${jobId} failed: job ${jobId}: invalid payload: not JSON (${JSON_ERROR})`]);
      expect(worker.lines.filter((l) => /JSON/.test(l) && !l.includes(jobId))).toEqual([]);
    } finally {
      await queue.close();
    }
  }, 240_000);
});

/** What JSON.parse says of the torn text in this Node version. */
const JSON_ERROR = (() => {
  try {
    JSON.parse('{"runId": "torn", "dir": ');
  } catch (error) {
    return (error as Error).message;
  }
  return '';
})();

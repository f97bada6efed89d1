import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { readMatrixIndex } from '@ssseg/report';
import { connectionOptions } from './redis-url';
import { jobIdFor } from './run-job';
import { RunQueue } from './payload';
import { startProcess, type ChildUnderTest } from './testing/cli-process';
import { describeRedis } from './testing/redis-suite';

/** The lines a process wrote, on stderr and stdout. */
function lines(child: ChildUnderTest): string[] {
  return [...child.stderr().split('\n'), ...child.stdout().split('\n')].filter(Boolean);
}

/**
 * A job whose data another program left unreadable, met as a user meets it: `ssseg worker` and
 * `ssseg compare --queue` in their own processes. The job fails once, with its id and the reason,
 * and the comparison reports it as failed.
 */
describeRedis('a queued run whose job data is not JSON', ({ redis, root }) => {
  const ssseg = (args: string[]) => startProcess(['--backend', 'cpu', ...args]);

  it('fails once through the worker, and compare --queue reports it without a stack trace', async () => {
    const file = path.join(root, 'compare.yaml');
    fs.writeFileSync(file, YAML.stringify({
      base: { model: { type: 'unet', baseWidth: 4, depth: 1 }, data: { type: 'mnist-seg', size: 16, valSize: 4, split: '1_4' }, train: { maxSteps: 1 } },
    }));
    const outDir = path.join(root, 'out');
    const queueArgs = ['--queue', redis.url, '--queue-name', 'torn'];
    const queued = startProcess(['compare', '--config', file, '--out', outDir, '--no-wait', ...queueArgs]);
    await queued.exited;
    expect(queued.stderr()).toContain('queued 1 runs');
    const runId = readMatrixIndex(outDir).runs[0].id;
    const jobId = jobIdFor(outDir, runId);

    const queue = new RunQueue('torn', { connection: connectionOptions(redis.url) });
    try {
      await (await queue.client).hset(queue.toKey(jobId), { data: '{"runId": "torn", "dir": ' });
      const compare = ssseg(['compare', '--config', file, '--out', outDir, ...queueArgs]);
      // the worker starts once compare --queue found the job still queued (a failed one it would queue afresh)
      await compare.waitFor(/^queued /m);
      expect(lines(compare)).toContain('queued 0 runs (1 already queued, 0 done)');
      const worker = ssseg(['worker', ...queueArgs, '--lock-duration', '2000']);
      expect(await compare.exited).toBe(0);
      expect(lines(compare)).toContain(`failed: ${runId}: job ${jobId}: invalid payload: not JSON (${JSON_ERROR})`);
      expect(lines(compare).join('\n')).not.toMatch(/^\s+at /m);

      // a few stall checks (every second) later, the job has failed once and stays failed
      await new Promise((r) => setTimeout(r, 4000));
      const job = (await queue.getJob(jobId))!;
      expect(await job.getState()).toBe('failed');
      expect(job.attemptsMade).toBe(1);
      const failures = lines(worker).filter((l) => l.includes('failed'));
      expect(failures).toEqual([`worker: ${jobId} failed: job ${jobId}: invalid payload: not JSON (${JSON_ERROR})`]);
      expect(lines(worker).filter((l) => /JSON/.test(l) && !l.includes(jobId))).toEqual([]);
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

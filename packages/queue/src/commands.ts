import * as path from 'path';
import { Option, type Command } from 'commander';
import { SssegError, lockFolder } from '@ssseg/core';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';
import { enqueueMatrix, plannedMatrix, waitForMatrix } from './enqueue';
import { warnIfNotPersistent } from './redis-persistence';
import { startWorker } from './worker';
import { WorkerStop } from './commands/worker-stop';
import { drainRequestedAt } from './commands/queue-drain';
import { registerQueueManagementCommands } from './commands/queue-commands';

/** How often a worker reads whether `ssseg queue drain` asked it to stop. */
const DRAIN_POLL_MS = 2000;

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new SssegError(`${flag} must be a positive integer, got '${text}'`);
  return n;
}

/** `ssseg worker`, `ssseg queue ...` and the queued compare: a matrix trained by workers on several machines. */
export function registerQueueCommands(program: Command): void {
  program
    .command('worker')
    .description('train runs from a Redis queue (started on each machine; output folders on shared storage)')
    .requiredOption('--queue <url>', 'redis://[:password@]host:port[/db]')
    .option('--concurrency <n>', 'runs trained at once by this worker', '1')
    .option('--queue-name <name>', 'queue name')
    .option('--lock-duration <ms>', 'a run whose worker is silent this long is handed to another worker', '60000')
    .option('--threads <n>', "native backend threads of each run whose config sets no engine.threads (default: SSSEG_NATIVE_THREADS, else the core count)")
    .action(async (opts: { queue: string; concurrency: string; queueName?: string; lockDuration: string; threads?: string }) => {
      const lockDuration = positiveInt(opts.lockDuration, '--lock-duration');
      const concurrency = positiveInt(opts.concurrency, '--concurrency');
      // a run's engine reads its default thread count from here when its config sets none
      if (opts.threads !== undefined) process.env.SSSEG_NATIVE_THREADS = String(positiveInt(opts.threads, '--threads'));
      await warnIfNotPersistent(opts.queue);
      let stop: WorkerStop | undefined;
      const started = Date.now();
      const running = await startWorker({
        queueUrl: opts.queue, queueName: opts.queueName, concurrency, quiet: false,
        lockDuration, stalledInterval: Math.max(1000, Math.round(lockDuration / 2)), stopRequested: () => stop?.stopRunNow ?? false,
      });
      const active = new Set<string>();
      running.worker.on('active', (job) => active.add(String(job.id)));
      for (const event of ['completed', 'failed'] as const) running.worker.on(event, (job: { id?: string } | undefined) => active.delete(String(job?.id)));
      process.stderr.write(`worker: waiting for runs on ${opts.queue.replace(/\/\/([^@/]*)@/, '//***@')}\n`);
      await new Promise<void>((resolve) => {
        let closing = false;
        stop = new WorkerStop({
          close: () => {
            if (closing) return;
            closing = true;
            clearInterval(drainWatch);
            void running.close().then(resolve);
          },
          activeRuns: () => [...active],
          write: (line) => process.stderr.write(`\n${line}\n`),
          exit: (code) => process.exit(code),
        });
        process.on('SIGINT', stop.onSignal);
        process.on('SIGTERM', stop.onSignal);
        // `ssseg queue drain` asks every worker started before it to stop after its run
        const drainWatch = setInterval(() => {
          void drainRequestedAt(running.worker).then((at) => {
            if (at !== undefined && at >= started) stop!.onSignal('drain');
          }, () => undefined);
        }, DRAIN_POLL_MS);
      });
    });
  registerQueueManagementCommands(program);
  // `ssseg compare --queue` is the one name; it hands its options to this hidden command
  withConfigOverrideOptions(program.command('compare-queue', { hidden: true }), 'compare')
    .description("deprecated name of 'ssseg compare --queue'")
    .addOption(new Option('--called-as-compare').hideHelp())
    .requiredOption('--config <file>', 'compare file (YAML or JSON)')
    .requiredOption('--queue <url>', 'redis://[:password@]host:port[/db]')
    .option('--out <dir>', 'output folder on shared storage (default: runs/<compare file name>)')
    .option('--max-steps <n>', 'cap every run at n steps')
    .option('--attempts <n>', 'tries per run', '3')
    .option('--queue-name <name>', 'queue name')
    .option('--no-wait', 'queue the runs and return')
    .action(async (opts: { config: string; queue: string; out?: string; maxSteps?: string; attempts: string; queueName?: string; wait: boolean; calledAsCompare?: boolean } & ConfigOverrideFlags, cmd: Command) => {
      const { backend } = cmd.optsWithGlobals() as { backend?: string };
      if (!opts.calledAsCompare) process.stderr.write("ssseg: 'compare-queue' is deprecated: use 'ssseg compare --queue URL' (the same options)\n");
      const outDir = opts.out ?? path.join('runs', path.basename(opts.config).replace(/\.(ya?ml|json)$/, ''));
      const options = {
        file: opts.config, outDir, queueUrl: opts.queue, queueName: opts.queueName, backend, overrides: configOverrides(opts),
        attempts: positiveInt(opts.attempts, '--attempts'), maxSteps: opts.maxSteps ? positiveInt(opts.maxSteps, '--max-steps') : undefined,
      };
      const matrix = plannedMatrix(options);
      await warnIfNotPersistent(opts.queue);
      // one follower per comparison folder (and no local compare beside it): two would queue runs again and write the report together
      const lock = lockFolder(outDir, 'ssseg compare --queue', { onTakeOver: (message) => process.stderr.write(`${message}\n`) });
      const stopFollowing = (signal: NodeJS.Signals) => {
        lock.release();
        process.stderr.write(`\ncompare --queue: ${signal}: stopped following; the runs stay queued for the workers (run the same command again to follow them)\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', stopFollowing);
      process.once('SIGTERM', stopFollowing);
      try {
        const queued = await enqueueMatrix(options, matrix);
        process.stderr.write(`queued ${queued.enqueued.length} runs (${queued.alreadyQueued.length} already queued, ${queued.done.length} done)\n`);
        if (!opts.wait) return;
        const result = await waitForMatrix({ outDir, queueUrl: opts.queue, queueName: opts.queueName, attempts: options.attempts });
        for (const f of result.failed) process.stdout.write(`failed: ${f.id}: ${f.reason}\n`);
        process.stdout.write(`report: ${result.report.markdown}\n        ${result.report.html}\n`);
      } finally {
        process.removeListener('SIGINT', stopFollowing);
        process.removeListener('SIGTERM', stopFollowing);
        lock.release();
      }
    });
}

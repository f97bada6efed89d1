import type { Command } from 'commander';
import { positiveInt } from '@ssseg/core';
import { warnIfNotPersistent } from './redis-persistence';
import { startWorker } from './worker';
import { WorkerStop } from './commands/worker-stop';
import { drainRequestedAt } from './commands/queue-drain';
import { registerQueueManagementCommands } from './commands/queue-commands';

/** How often a worker reads whether `ssseg queue drain` asked it to stop. */
const DRAIN_POLL_MS = 2000;

/** `ssseg worker` and `ssseg queue ...`: a matrix trained by workers on several machines. */
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
}

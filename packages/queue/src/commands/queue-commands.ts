import type { Command } from 'commander';
import { clearQueue } from './queue-clear';
import { drainWorkers } from './queue-drain';
import { formatQueueStatus, queueStatus } from './queue-status';

interface QueueFlags {
  queue: string;
  queueName?: string;
}

/** `ssseg queue status|clear|drain`: see and tidy a queue that comparisons and workers share. */
export function registerQueueManagementCommands(program: Command): void {
  const queue = program.command('queue').description('see and tidy the Redis queue of queued comparisons and their workers');
  const common = (command: Command) => command
    .requiredOption('--queue <url>', 'redis://[:password@]host:port[/db]')
    .option('--queue-name <name>', 'queue name');
  common(queue.command('status'))
    .description('waiting, active, failed and done runs of each comparison in the queue')
    .option('--json', 'print one JSON object')
    .action(async (opts: QueueFlags & { json?: boolean }) => {
      const status = await queueStatus({ queueUrl: opts.queue, queueName: opts.queueName });
      process.stdout.write(opts.json ? `${JSON.stringify(status)}\n` : formatQueueStatus(status));
    });
  common(queue.command('clear'))
    .description("remove the waiting and failed runs of a comparison (what a killed 'compare --queue' leaves); runs being trained are left to their workers")
    .option('--out <dir>', 'the comparison folder whose runs to remove')
    .option('--all', 'remove the waiting and failed runs of every comparison')
    .action(async (opts: QueueFlags & { out?: string; all?: boolean }) => {
      const result = await clearQueue({ queueUrl: opts.queue, queueName: opts.queueName, outDir: opts.out, all: opts.all });
      process.stdout.write(`removed ${result.removed.length} queued run${result.removed.length === 1 ? '' : 's'}` +
        (result.active.length ? `; ${result.active.length} being trained left to their workers (${result.active.join(', ')})` : '') + '\n');
    });
  common(queue.command('drain'))
    .description('ask every running worker to finish its run under way, then exit (workers started later are not affected)')
    .action(async (opts: QueueFlags) => {
      const { workers } = await drainWorkers({ queueUrl: opts.queue, queueName: opts.queueName });
      process.stdout.write(`asked ${workers} worker${workers === 1 ? '' : 's'} to exit after the run under way (they check every few seconds)\n`);
    });
}

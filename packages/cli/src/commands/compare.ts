import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { CompareExecutor, SssegError, positiveInt } from '@ssseg/core';
import { checkedMatrix, runCompare } from '../compare/run-compare';
import { InterruptedError } from '../run/interrupted-error';
import { exitCodeFor } from '@ssseg/runner';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';
import { createCliHost } from '../cli-host';

/** The first table of report.md (mean ± std of mIoU per cell), for the terminal. */
export function mainTable(markdownFile: string): string {
  const lines = fs.readFileSync(markdownFile, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The installed executor for `--queue URL`'s scheme (the queue package's for redis://). */
function queuedCompareExecutor(url: string): CompareExecutor {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  const executors = createCliHost().contributions(CompareExecutor);
  const executor = executors.find((e) => scheme !== undefined && e.schemes.includes(scheme));
  if (executor) return executor;
  if (!executors.length) throw new SssegError('--queue needs the @ssseg/queue package installed beside the CLI');
  throw new SssegError(`--queue: no installed executor takes '${scheme ?? url}' URLs (installed: ${executors.flatMap((e) => e.schemes).join(', ')})`);
}

interface CompareFlags extends ConfigOverrideFlags {
  config: string;
  out?: string;
  maxSteps?: string;
  queue?: string;
  attempts: string;
  queueName?: string;
  wait: boolean;
}

export function registerCompareCommands(program: Command): void {
  withConfigOverrideOptions(program.command('compare'), 'compare')
    .description('run a matrix of methods x regularizer variants x splits x seeds, then write the report (resumable)')
    .requiredOption('--config <file>', 'compare file (YAML or JSON)')
    .option('--out <dir>', 'output folder (default: runs/<compare file name>)')
    .option('--max-steps <n>', 'cap every run at n steps (a quick look)')
    .option('--queue <url>', 'hand the runs to `ssseg worker`s through Redis (redis://[:password@]host:port[/db]) instead of training here')
    .option('--attempts <n>', 'with --queue: tries per run (a retry resumes from the last checkpoint)', '3')
    .option('--queue-name <name>', 'with --queue: the queue name (several independent queues on one Redis)')
    .option('--no-wait', 'with --queue: queue the runs and return; run the command again later to follow and report')
    .action(async (opts: CompareFlags, cmd: Command) => {
      const { backend } = cmd.optsWithGlobals() as { backend?: string };
      const outDir = opts.out ?? path.join('runs', path.basename(opts.config).replace(/\.(ya?ml|json)$/, ''));
      if (!opts.queue && (opts.queueName || !opts.wait)) throw new SssegError('--queue-name and --no-wait go with --queue <url>');
      if (opts.queue) {
        checkedMatrix(opts.config, configOverrides(opts)); // a mistake in any run stops here, before anything is queued
        await queuedCompareExecutor(opts.queue).execute({
          file: opts.config, outDir, queueUrl: opts.queue, queueName: opts.queueName, attempts: positiveInt(opts.attempts, '--attempts'),
          maxSteps: opts.maxSteps ? positiveInt(opts.maxSteps, '--max-steps') : undefined, wait: opts.wait, backend, overrides: configOverrides(opts),
        });
        return;
      }
      const result = await runCompare({
        file: opts.config, outDir, backend, overrides: configOverrides(opts), maxSteps: opts.maxSteps ? positiveInt(opts.maxSteps, '--max-steps') : undefined,
      });
      if (result.interrupted) {
        throw new InterruptedError(
          `interrupted: the run under way wrote its checkpoint; continue the matrix with the same 'ssseg compare' command`,
          exitCodeFor(result.interrupted),
        );
      }
      process.stdout.write(`\n${mainTable(result.report.markdown)}\n\n`);
      if (result.failed.length) process.stdout.write(`failed runs: ${result.failed.join(', ')}\n`);
      process.stdout.write(`report: ${result.report.markdown}\n        ${result.report.html}\n`);
    });
}

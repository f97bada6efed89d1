import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { SssegError } from '@ssseg/core';
import { checkedMatrix, runCompare } from '../compare/run-compare';
import { positiveInt } from './train';
import { InterruptedError } from '../run/interrupted-error';
import { exitCodeFor } from '@ssseg/runner';
import { configOverrideArgs, configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

/** The first table of report.md (mean ± std of mIoU per cell), for the terminal. */
export function mainTable(markdownFile: string): string {
  const lines = fs.readFileSync(markdownFile, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  if (start < 0) return '';
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
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
        // the queued compare lives in @ssseg/queue, which depends on this package: reached through the program
        const args = ['--backend', backend ?? 'auto', 'compare-queue', '--called-as-compare', '--config', opts.config, '--queue', opts.queue, '--out', outDir];
        if (opts.maxSteps) args.push('--max-steps', opts.maxSteps);
        args.push('--attempts', opts.attempts);
        if (opts.queueName) args.push('--queue-name', opts.queueName);
        if (!opts.wait) args.push('--no-wait');
        args.push(...configOverrideArgs(opts));
        if (!(cmd.parent as Command).commands.some((c) => c.name() === 'compare-queue')) {
          throw new SssegError('--queue needs the @ssseg/queue package installed beside the CLI');
        }
        await (cmd.parent as Command).parseAsync(args, { from: 'user' });
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

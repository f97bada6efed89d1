import * as path from 'path';
import { Command, Option } from 'commander';
import { machineDescription, recordBenchmark } from '../bench/record';
import { WORKLOADS, runWorkload, type Workload } from '../bench/workloads';
import { SssegError } from '@ssseg/core';
import { positiveInt } from './train';

interface BenchFlags {
  steps?: string;
  sizes?: string;
  json?: boolean;
  record?: boolean;
  benchmarksFile?: string;
}

/** The command line that reproduces a measurement (output flags left out). */
function commandLine(workload: string, backend: string | undefined, flags: BenchFlags): string {
  const parts = ['ssseg', 'bench', workload];
  if (backend) parts.push('--backend', backend);
  if (flags.steps) parts.push('--steps', flags.steps);
  if (flags.sizes) parts.push('--sizes', flags.sizes);
  return parts.join(' ');
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('time a workload of BENCHMARKS.md (w1, w2, w3, w4) or the data loader; --record updates BENCHMARKS.md')
    .argument('<workload>', `one of ${WORKLOADS.join(', ')}`)
    .option('--steps <n>', 'timed steps (w1, w2), repeats (w3), runs (w4) or batches (loader); the median is reported')
    .option('--sizes <list>', 'w3: pixels per image, comma-separated (default 1024,4096)')
    .option('--json', 'print one JSON object instead of the table')
    .option('--record', "replace this workload's block in BENCHMARKS.md")
    .addOption(new Option('--benchmarks-file <file>', 'the file --record writes').default('BENCHMARKS.md').hideHelp())
    .action(async (workload: string, flags: BenchFlags, cmd: Command) => {
      if (!(WORKLOADS as readonly string[]).includes(workload)) {
        throw new SssegError(`unknown workload '${workload}' (expected one of ${WORKLOADS.join(', ')})`);
      }
      const globals = cmd.optsWithGlobals() as { backend?: string };
      const backend = globals.backend ?? 'auto';
      const steps = flags.steps ? positiveInt(flags.steps, '--steps') : undefined;
      const sizes = flags.sizes ? flags.sizes.split(',').map((s) => positiveInt(s.trim(), '--sizes')) : undefined;
      const machine = machineDescription();
      const command = commandLine(workload, backend === 'auto' ? undefined : backend, flags);
      const date = new Date().toISOString().slice(0, 10);
      const outcome = await runWorkload(workload as Workload, { backend, steps, sizes });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...outcome.json, machine, command, date })}\n`);
      } else {
        process.stdout.write(`${outcome.table}\n\nmachine: ${machine}\ncommand: ${command}\n`);
      }
      if (flags.record) {
        const file = path.resolve(flags.benchmarksFile ?? 'BENCHMARKS.md');
        recordBenchmark(file, workload, `${outcome.table}\n\nMachine: ${machine}. Date: ${date}. Command: \`${command}\`.`);
        if (!flags.json) process.stdout.write(`recorded in ${file}\n`);
      }
    });
}

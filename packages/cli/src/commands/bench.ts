import * as path from 'path';
import { Command, Option } from 'commander';
import { machineDescription, recordBenchmark } from '../bench/record';
import { WORKLOADS, runWorkload, type Workload } from '../bench/workloads';
import { SCALE_WORKLOADS, formatScale, runScale, type ScaleWorkload } from '../bench/scale';
import { formatLoad, loadAverages, recordRefusal } from '../bench/load-check';
import { SssegError, positiveInt } from '@ssseg/core';
import type { InterPixelDistance, InterPixelRelation } from '@ssseg/losses';

interface BenchFlags {
  steps?: string;
  sizes?: string;
  forms?: string;
  json?: boolean;
  record?: boolean;
  threads?: string;
  rounds?: string;
  workloads?: string;
  python?: string | false;
  benchmarksFile?: string;
}

/** The command line that reproduces a measurement (output flags left out). */
function commandLine(workload: string, backend: string | undefined, flags: BenchFlags): string {
  const parts = ['ssseg', 'bench', workload];
  if (backend) parts.push('--backend', backend);
  if (flags.steps) parts.push('--steps', flags.steps);
  if (flags.sizes) parts.push('--sizes', flags.sizes);
  if (flags.forms) parts.push('--forms', flags.forms);
  return parts.join(' ');
}

/** The scale command line (output flags left out), for the record. */
function scaleCommandLine(flags: BenchFlags): string {
  const parts = ['ssseg', 'bench', 'scale', '--rounds', flags.rounds ?? '3'];
  if (flags.threads) parts.push('--threads', flags.threads);
  if (flags.steps) parts.push('--steps', flags.steps);
  if (flags.workloads && flags.workloads !== SCALE_WORKLOADS.join(',')) parts.push('--workloads', flags.workloads);
  if (flags.python === false) parts.push('--no-python');
  else if (flags.python && flags.python !== '/usr/bin/python3') parts.push('--python', flags.python);
  return parts.join(' ');
}

/** relation/distance pairs of --forms ('affinity/kl,spatial/kl'). */
function parseForms(value: string): Array<[InterPixelRelation, InterPixelDistance]> {
  const relations = ['affinity', 'spatial'], distances = ['kl', 'correlation'];
  return value.split(',').map((s) => s.trim()).filter(Boolean).map((form) => {
    const [relation, distance] = form.split('/');
    if (!relations.includes(relation) || !distances.includes(distance)) {
      throw new SssegError(`--forms: '${form}' is not relation/distance with relation one of ${relations.join(', ')} and distance one of ${distances.join(', ')}`);
    }
    return [relation as InterPixelRelation, distance as InterPixelDistance];
  });
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description("time a workload of BENCHMARKS.md (w1..w5), the data loader or the peak convolution; 'scale': the peak and w1, w2, w3, w5 at 1..N threads beside PyTorch; --record updates BENCHMARKS.md (refused when the load average is above the cores)")
    .argument('<workload>', `one of ${WORKLOADS.join(', ')}, scale`)
    .option('--steps <n>', 'timed steps (w1, w2), repeats (w3, peak), runs (w4) or batches (loader); the median is reported')
    .option('--sizes <list>', 'w3: pixels per image, comma-separated (default 1024,4096)')
    .option('--forms <list>', 'w3: relation/distance pairs, comma-separated (default all four: affinity/kl, affinity/correlation, spatial/kl, spatial/correlation)')
    .option('--threads <list>', 'scale: thread counts, comma-separated (default 1..cores)')
    .option('--rounds <n>', 'scale: runs of each engine per thread count, alternated; medians reported', '3')
    .option('--workloads <list>', `scale: any of ${SCALE_WORKLOADS.join(', ')} (the peak convolution always runs)`, SCALE_WORKLOADS.join(','))
    .option('--python <path>', "scale: PyTorch's interpreter for bench/pytorch_reference.py", '/usr/bin/python3')
    .option('--no-python', 'scale: ssseg only')
    .option('--json', 'print one JSON object instead of the table')
    .option('--record', "replace this workload's block in BENCHMARKS.md (scale: the side-by-side tables with machine, date, load and duration)")
    .addOption(new Option('--benchmarks-file <file>', 'the file --record writes').default('BENCHMARKS.md').hideHelp())
    .action(async (workload: string, flags: BenchFlags, cmd: Command) => {
      if (workload === 'scale') return benchScale(flags);
      if (!(WORKLOADS as readonly string[]).includes(workload)) {
        throw new SssegError(`unknown workload '${workload}' (expected one of ${WORKLOADS.join(', ')})`);
      }
      const globals = cmd.optsWithGlobals() as { backend?: string };
      const backend = globals.backend ?? 'auto';
      const steps = flags.steps ? positiveInt(flags.steps, '--steps') : undefined;
      const sizes = flags.sizes ? flags.sizes.split(',').map((s) => positiveInt(s.trim(), '--sizes')) : undefined;
      const forms = flags.forms ? parseForms(flags.forms) : undefined;
      const machine = machineDescription();
      const command = commandLine(workload, backend === 'auto' ? undefined : backend, flags);
      const date = new Date().toISOString().slice(0, 10);
      const file = path.resolve(flags.benchmarksFile ?? 'BENCHMARKS.md');
      const refusal = flags.record ? refusalAtStart(file) : undefined;
      const outcome = await runWorkload(workload as Workload, { backend, steps, sizes, forms });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...outcome.json, machine, command, date })}\n`);
      } else {
        process.stdout.write(`${outcome.table}\n\nmachine: ${machine}\ncommand: ${command}\n`);
      }
      if (refusal) throw new SssegError(refusal);
      if (flags.record) {
        recordBenchmark(file, workload, `${outcome.table}\n\nMachine: ${machine}. Date: ${date}. Command: \`${command}\`.`);
        if (!flags.json) process.stdout.write(`recorded in ${file}\n`);
      }
    });
}

/** Why --record will not write this sitting (said at once, so that no one waits for it), or undefined. */
function refusalAtStart(file: string, oneMinuteLoad = loadAverages()[0]): string | undefined {
  const refusal = recordRefusal(oneMinuteLoad, file);
  if (refusal) process.stderr.write(`[ssseg] ${refusal}; the figures are still printed\n`);
  return refusal;
}

function benchScale(flags: BenchFlags): void {
  const list = (value: string | undefined, what: string) => value?.split(',').map((s) => s.trim()).filter(Boolean).map((s) => positiveInt(s, what));
  const workloads = (flags.workloads ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = workloads.filter((w) => !(SCALE_WORKLOADS as readonly string[]).includes(w));
  if (unknown.length || !workloads.length) throw new SssegError(`--workloads: expected some of ${SCALE_WORKLOADS.join(', ')}, got '${flags.workloads}'`);
  const loadAverage = () => formatLoad(loadAverages());
  const startLoad = loadAverages();
  const loadAtStart = formatLoad(startLoad);
  const file = path.resolve(flags.benchmarksFile ?? 'BENCHMARKS.md');
  const refusal = flags.record ? refusalAtStart(file, startLoad[0]) : undefined;
  const started = Date.now();
  const result = runScale({
    workloads: workloads as ScaleWorkload[],
    threads: list(flags.threads, '--threads'),
    rounds: positiveInt(flags.rounds ?? '3', '--rounds'),
    steps: flags.steps ? positiveInt(flags.steps, '--steps') : undefined,
    cli: process.argv[1],
    python: flags.python === false ? undefined : flags.python,
    log: flags.json ? undefined : (line) => process.stderr.write(`[ssseg] ${line}\n`),
  });
  const minutes = (Date.now() - started) / 60_000;
  const machine = machineDescription();
  const date = new Date().toISOString().slice(0, 10);
  const load = loadAverage();
  const command = scaleCommandLine(flags);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...result, machine, date, command, minutes, loadAverageAtStart: loadAtStart, loadAverageAtEnd: load })}\n`);
  else process.stdout.write(`${formatScale(result)}\n\nmachine: ${machine}; load average at the start: ${loadAtStart}, at the end: ${load}; took ${minutes.toFixed(1)} min\n`);
  if (refusal) throw new SssegError(refusal);
  if (flags.record) {
    recordBenchmark(file, 'scale', `${formatScale(result)}\n\nMachine: ${machine}. Date: ${date}. Load average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${load}. Took ${minutes.toFixed(1)} min. Command: \`${command}\`.`);
    if (!flags.json) process.stdout.write(`recorded in ${file}\n`);
  }
}

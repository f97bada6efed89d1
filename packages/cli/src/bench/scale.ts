import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median } from './record';
import { WARMUP_STEPS } from './warmup';
import { gflopsPerSecond } from './conv-flops';
import { PEAK_CONV, describeConv } from './peak';

/** The workloads `ssseg bench scale` runs at each thread count (W3: the affinity-KL term alone at M = 4096). */
export const SCALE_WORKLOADS = ['w1', 'w2', 'w3', 'w5'] as const;
export type ScaleWorkload = (typeof SCALE_WORKLOADS)[number];
/** What a sitting runs at each thread count: the peak convolution first, then the workloads asked for. */
type ScaleRun = 'peak' | ScaleWorkload;

export interface ScaleOptions {
  workloads: ScaleWorkload[];
  /** Thread counts; default 1..cores. */
  threads?: number[];
  /** Times each (workload, threads, engine) runs, alternating engines; medians are reported. */
  rounds: number;
  /** Timed steps per run (each workload's default when absent). */
  steps?: number;
  /** The ssseg CLI to run (this process's script). */
  cli: string;
  /** PyTorch's interpreter; undefined skips PyTorch. */
  python?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One engine's figures for one variant (W2 and W5 have two: without and with the term). */
interface Sample {
  ms: number;
  peakRssMiB: number;
  /** Convolution FLOPs of one step, where the run counted them. */
  flops?: number;
}

export interface ScaleRow {
  workload: string;
  threads: number;
  ssseg?: Sample;
  pytorch?: Sample;
  /**
   * Convolution FLOPs of one step, the same for both engines' step: ssseg's count (from the conv
   * calls of one step), else the reference's (the peak convolution's formula).
   */
  flops?: number;
}

export interface ScaleResult {
  rows: ScaleRow[];
  rounds: number;
  /** Why PyTorch has no figures, when it has none. */
  pytorchSkipped?: string;
  /** ssseg runs that failed (the sitting goes on without their figures). */
  failures: string[];
}

/** bench/pytorch_reference.py in the working directory or above this file, if present. */
export function pytorchScript(): string | undefined {
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const file = path.join(dir, 'bench', 'pytorch_reference.py');
      if (fs.existsSync(file)) return file;
      if (path.dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/** The JSON object on the last line of a child's stdout, or an error naming the command and its stderr. */
function runJson(command: string, args: string[], env: NodeJS.ProcessEnv): Record<string, unknown> {
  const child = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const last = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) {
    // the message, not the stack frames under it
    const said = (child.stderr || child.error?.message || '').split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
    throw new Error(`'${command} ${args.join(' ')}' failed (exit ${child.status ?? child.signal}): ${said.slice(-3).join(' ')}`);
  }
  return JSON.parse(last) as Record<string, unknown>;
}

const W3_NAME = 'W3 affinity KL, M = 4096';
export const PEAK_NAME = `peak: ${describeConv(PEAK_CONV)}`;

/** The extra arguments of ssseg's and of the reference's run of a workload. */
const SSSEG_ARGS: Partial<Record<ScaleRun, string[]>> = { w3: ['--sizes', '4096', '--forms', 'affinity/kl'] };
// PyTorch's naive [M, M] KL takes about a minute of CPU per repeat (W3) and ~10 s per W5 step with
// the term: W3 one timed repeat without warm-up; W2 and W5 the 3 timed steps ssseg's bench takes
const PYTORCH_ARGS: Partial<Record<ScaleRun, string[]>> = { w2: ['--steps', '3'], w3: ['--steps', '1', '--warmup', '0'], w5: ['--steps', '3'] };

/** Per variant ('W1', 'W2 without', 'W2 with', ...) from one ssseg run's JSON. */
function sssegSamples(workload: ScaleRun, r: Record<string, unknown>): Map<string, Sample> {
  const peak = r.peakRssMiB as number;
  const name = workload.toUpperCase();
  if (workload === 'peak') return new Map([[PEAK_NAME, { ms: r.msPerStep as number, peakRssMiB: peak, flops: r.flops as number }]]);
  if (workload === 'w1') return new Map([[name, { ms: r.msPerStep as number, peakRssMiB: peak }]]);
  if (workload === 'w3') {
    const row = (r.rows as { relation: string; distance: string; path: string; M: number; ms: number | null }[])
      .find((x) => x.relation === 'affinity' && x.distance === 'kl' && x.path === 'fast' && x.M === 4096);
    if (!row || row.ms === null) throw new Error(`ssseg bench w3 gave no affinity KL row at M = 4096: ${JSON.stringify(r.rows)}`);
    return new Map([[W3_NAME, { ms: row.ms, peakRssMiB: peak }]]);
  }
  return new Map([
    [`${name} without IPixMatch`, { ms: r.msPerStepWithout as number, peakRssMiB: peak, flops: r.convFlopsPerStepWithout as number | undefined }],
    [`${name} with IPixMatch`, { ms: r.msPerStepWith as number, peakRssMiB: peak, flops: r.convFlopsPerStepWith as number | undefined }],
  ]);
}

/** The same from pytorch_reference.py's JSON. */
function pytorchSamples(workload: ScaleRun, r: Record<string, unknown>): Map<string, Sample> {
  const w = r[workload] as Record<string, number>;
  const name = workload.toUpperCase();
  if (workload === 'peak') return new Map([[PEAK_NAME, { ms: w.msPerStep, peakRssMiB: w.peakRssMiB, flops: w.flops }]]);
  if (workload === 'w1') return new Map([[name, { ms: w.msPerStep, peakRssMiB: w.peakRssMiB }]]);
  if (workload === 'w3') return new Map([[W3_NAME, { ms: w.msPerStep, peakRssMiB: w.peakRssMiB }]]);
  return new Map([
    [`${name} without IPixMatch`, { ms: w.msPerStepWithout, peakRssMiB: w.peakRssMiB }],
    [`${name} with IPixMatch`, { ms: w.msPerStepWith, peakRssMiB: w.peakRssMiB }],
  ]);
}

/** A progress line with the run's figures, so an interrupted sitting still leaves them in the log. */
const figures = (found: Map<string, Sample>) => [...found].map(([variant, x]) => `${variant}: ${x.ms.toFixed(1)} ms, ${x.peakRssMiB} MiB`).join('; ');

/**
 * Runs the peak convolution and every workload at every thread count, each run in a fresh process
 * (so that peak RSS is the run's own) and alternating ssseg (native backend, SSSEG_NATIVE_THREADS)
 * with PyTorch (torch.set_num_threads) so that changes in the machine's load hit both alike;
 * `rounds` times.
 */
export function runScale(o: ScaleOptions): ScaleResult {
  const threads = o.threads ?? Array.from({ length: os.availableParallelism() }, (_, i) => i + 1);
  const script = pytorchScript();
  let pytorchSkipped = o.python === undefined ? 'not requested' : script === undefined ? 'bench/pytorch_reference.py not found' : undefined;
  const samples = new Map<string, { ssseg: Sample[]; pytorch: Sample[] }>();
  const failures: string[] = [];
  const add = (t: number, engine: 'ssseg' | 'pytorch', found: Map<string, Sample>) => {
    for (const [variant, sample] of found) {
      const key = `${variant}|${t}`;
      if (!samples.has(key)) samples.set(key, { ssseg: [], pytorch: [] });
      samples.get(key)![engine].push(sample);
    }
  };
  const runs: ScaleRun[] = ['peak', ...o.workloads];
  for (let round = 0; round < o.rounds; round++) {
    for (const workload of runs) {
      for (const t of threads) {
        o.log?.(`round ${round + 1}/${o.rounds}: ${workload} at ${t} thread(s), ssseg`);
        const steps = o.steps ? ['--steps', String(o.steps)] : [];
        const env = { ...process.env, SSSEG_NATIVE_THREADS: String(t) };
        try {
          const ours = sssegSamples(workload, runJson(process.execPath, [o.cli, '--backend', 'native', 'bench', workload, '--json', ...steps, ...(SSSEG_ARGS[workload] ?? [])], env));
          add(t, 'ssseg', ours);
          o.log?.(figures(ours));
        } catch (err) {
          failures.push((err as Error).message);
          o.log?.(`failed: ${(err as Error).message}`);
        }
        if (pytorchSkipped) continue;
        o.log?.(`round ${round + 1}/${o.rounds}: ${workload} at ${t} thread(s), PyTorch`);
        try {
          const pySteps = o.steps ? ['--steps', String(o.steps)] : (PYTORCH_ARGS[workload] ?? []);
          // OpenBLAS (which the reference is run with, see its header) ignores torch.set_num_threads
          const pyEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
          const theirs = pytorchSamples(workload, runJson(o.python!, [script!, '--only', workload, '--threads', String(t), '--warmup', String(WARMUP_STEPS), ...pySteps], pyEnv));
          add(t, 'pytorch', theirs);
          o.log?.(figures(theirs));
        } catch (err) {
          pytorchSkipped = (err as Error).message;
        }
      }
    }
  }
  const pick = (list: Sample[]): Sample | undefined => (list.length ? { ms: median(list.map((s) => s.ms)), peakRssMiB: median(list.map((s) => s.peakRssMiB)) } : undefined);
  const rows = [...samples.entries()].map(([key, s]) => {
    const [workload, t] = key.split('|');
    const flops = [...s.ssseg, ...s.pytorch].find((x) => x.flops !== undefined)?.flops;
    return { workload, threads: Number(t), ssseg: pick(s.ssseg), pytorch: pick(s.pytorch), flops };
  });
  return { rows, rounds: o.rounds, pytorchSkipped, failures };
}

const fmt = (x: number | undefined, digits = 1) => (x === undefined ? '-' : x.toFixed(digits));

/**
 * The machine's measured peak at each thread count: the faster engine's GFLOP/s on the peak
 * convolution, the yardstick both engines' GFLOP/s are read against.
 */
function machinePeaks(rows: ScaleRow[]): Map<number, number> {
  const peaks = new Map<number, number>();
  for (const row of rows) {
    if (row.workload !== PEAK_NAME || row.flops === undefined) continue;
    for (const sample of [row.ssseg, row.pytorch]) {
      if (sample) peaks.set(row.threads, Math.max(peaks.get(row.threads) ?? 0, gflopsPerSecond(row.flops, sample.ms)));
    }
  }
  return peaks;
}

/**
 * Side-by-side table: per variant and thread count, each engine's median ms, speed-up over its own
 * first thread count, efficiency, convolution GFLOP/s with its share of the machine's peak, peak RSS.
 */
export function formatScale(r: ScaleResult): string {
  const peaks = machinePeaks(r.rows);
  const rate = (row: ScaleRow, engine: 'ssseg' | 'pytorch') => {
    const here = row[engine], peak = peaks.get(row.threads);
    if (!here || row.flops === undefined) return '-';
    const gflops = gflopsPerSecond(row.flops, here.ms);
    return peak ? `${gflops.toFixed(1)} (${((100 * gflops) / peak).toFixed(0)}%)` : gflops.toFixed(1);
  };
  const base = new Map<string, ScaleRow>();
  for (const row of r.rows) if (!base.has(row.workload) || base.get(row.workload)!.threads > row.threads) base.set(row.workload, row);
  const scaling = (row: ScaleRow, engine: 'ssseg' | 'pytorch') => {
    const first = base.get(row.workload)![engine], here = row[engine];
    if (!first || !here) return ['-', '-'];
    const speedUp = first.ms / here.ms;
    const efficiency = speedUp / (row.threads / base.get(row.workload)!.threads);
    return [`${speedUp.toFixed(2)}x`, `${(100 * efficiency).toFixed(0)}%`];
  };
  const lines = [
    '| workload | threads | ssseg ms/step | speed-up | efficiency | GFLOP/s (% of peak) | peak RSS MiB | PyTorch ms/step | speed-up | efficiency | GFLOP/s (% of peak) | peak RSS MiB | ssseg / PyTorch |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map((row) => {
      const ratio = row.ssseg && row.pytorch ? `${(row.ssseg.ms / row.pytorch.ms).toFixed(2)}x` : '-';
      return `| ${row.workload} | ${row.threads} | ${fmt(row.ssseg?.ms)} | ${scaling(row, 'ssseg').join(' | ')} | ${rate(row, 'ssseg')} | ${fmt(row.ssseg?.peakRssMiB, 0)} `
        + `| ${fmt(row.pytorch?.ms)} | ${scaling(row, 'pytorch').join(' | ')} | ${rate(row, 'pytorch')} | ${fmt(row.pytorch?.peakRssMiB, 0)} | ${ratio} |`;
    }),
  ];
  const note = `Medians of ${r.rounds} round(s); each run a fresh process, ssseg (native backend) and PyTorch alternated.`
    + ' GFLOP/s: the convolutions\' FLOPs of one step (2 per multiply-add; forward, input and filter gradients; counted from ssseg\'s conv calls of one step,'
    + ' the same count for PyTorch\'s step) over the median step time; % of peak: of the faster engine\'s GFLOP/s on the peak convolution at the same thread count.'
    + (r.pytorchSkipped ? ` PyTorch skipped: ${r.pytorchSkipped}.` : '')
    + r.failures.map((f) => `\n\nFailed: ${f}`).join('');
  return `${lines.join('\n')}\n\n${note}`;
}

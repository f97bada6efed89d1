import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PEAK_NAME, formatScale, runScale, type ScaleResult } from './scale';

// the built CLI (turbo builds it before the tests run): scale runs it as a child per measurement
const cli = path.join(__dirname, '../../dist/bin.js');

/** The peak convolution's FLOPs, 2 * 8 * 32 * 32 * 256 * 256 * 9. */
const PEAK_FLOPS = 9_663_676_416;

/**
 * An executable standing in for PyTorch's python: prints the reference script's JSON for W1 (or,
 * with --only peak, the peak convolution: `peakMs`, default 100 ms) at the given --threads.
 */
function fakePython(dir: string, msByThreads: Record<number, number>, fail = false, peakMs: Record<number, number> = {}): string {
  const file = path.join(dir, 'python');
  fs.writeFileSync(file, `#!${process.execPath}
const a = process.argv.slice(2), t = Number(a[a.indexOf('--threads') + 1]);
if (${fail}) { process.stderr.write('No module named torch\\n'); process.exit(1); }
if (a[a.indexOf('--only') + 1] === 'peak') console.log(JSON.stringify({ threads: t, peak: { msPerStep: ${JSON.stringify(peakMs)}[t] ?? 100, flops: ${PEAK_FLOPS}, peakRssMiB: 240 } }));
else console.log(JSON.stringify({ threads: t, w1: { msPerStep: ${JSON.stringify(msByThreads)}[t], peakRssMiB: 250 } }));
`);
  fs.chmodSync(file, 0o755);
  return file;
}

describe('ssseg bench scale', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-scale-'));

  it('times the peak convolution and W1 at each thread count in fresh processes beside PyTorch, with speed-up, efficiency, GFLOP/s and peak RSS', () => {
    const r = runScale({ workloads: ['w1'], threads: [1, 2], rounds: 1, steps: 1, cli, python: fakePython(dir, { 1: 40, 2: 25 }) });
    expect(r.pytorchSkipped).toBeUndefined();
    expect(r.failures).toEqual([]);
    expect(r.rows.map((row) => [row.workload, row.threads])).toEqual([[PEAK_NAME, 1], [PEAK_NAME, 2], ['W1', 1], ['W1', 2]]);
    for (const row of r.rows) {
      expect(row.ssseg!.ms).toBeGreaterThan(0);
      expect(row.ssseg!.peakRssMiB).toBeGreaterThan(50);
    }
    // ssseg's count of its conv call: 2 * 8 * 32 * 32 * 256 * 256 * 9
    expect(r.rows.map((row) => row.flops)).toEqual([PEAK_FLOPS, PEAK_FLOPS, undefined, undefined]);
    expect(r.rows.slice(2).map((row) => row.pytorch)).toEqual([{ ms: 40, peakRssMiB: 250 }, { ms: 25, peakRssMiB: 250 }]);
    const table = formatScale(r);
    // PyTorch: 40 / 25 = 1.60x with 2 threads, 80 % efficiency; W1's convolutions are not counted
    expect(table).toMatch(/\| W1 \| 2 \| [\d.]+ \| [\d.]+x \| \d+% \| - \| \d+ \| 25\.0 \| 1\.60x \| 80% \| - \| 250 \| [\d.]+x \|/);
    // the peak: PyTorch's 100 ms is 96.6 GFLOP/s, against the faster engine's
    expect(table).toMatch(/\| peak: conv 3x3, 256 -> 256, 32x32, B = 8 \| 1 \| [\d.]+ \| 1\.00x \| 100% \| [\d.]+ \(\d+%\) \| \d+ \| 100\.0 \| 1\.00x \| 100% \| 96\.6 \(\d+%\) \| 240 \|/);
  }, 300_000);

  it('reads each engine\'s convolution GFLOP/s against the faster engine\'s peak at the same thread count (hand-worked)', () => {
    const row = (workload: string, threads: number, ssseg: number, pytorch: number, flops?: number) =>
      ({ workload, threads, ssseg: { ms: ssseg, peakRssMiB: 300 }, pytorch: { ms: pytorch, peakRssMiB: 250 }, flops });
    const r: ScaleResult = {
      rounds: 1, failures: [],
      rows: [
        row(PEAK_NAME, 1, 80, 100, 8e9), row(PEAK_NAME, 2, 50, 40, 8e9),
        row('W2 without IPixMatch', 1, 2500, 3000, 1.5e11), row('W2 without IPixMatch', 2, 1500, 1250, 1.5e11),
        row('W2 without IPixMatch', 4, 2500, 3000, 1.5e11), row('W1', 1, 10, 20),
      ],
    };
    const lines = formatScale(r).split('\n');
    // 1 thread: 8e9 FLOP in 80 ms = 100 GFLOP/s (ssseg, the peak), in 100 ms = 80 (80 %)
    expect(lines).toContain(`| ${PEAK_NAME} | 1 | 80.0 | 1.00x | 100% | 100.0 (100%) | 300 | 100.0 | 1.00x | 100% | 80.0 (80%) | 250 | 0.80x |`);
    // 2 threads: 160 and 200 GFLOP/s: PyTorch's is the peak
    expect(lines).toContain(`| ${PEAK_NAME} | 2 | 50.0 | 1.60x | 80% | 160.0 (80%) | 300 | 40.0 | 2.50x | 125% | 200.0 (100%) | 250 | 1.25x |`);
    // 1.5e11 FLOP in 2500 ms = 60 GFLOP/s = 60 % of 100; in 3000 ms = 50 (50 %)
    expect(lines).toContain('| W2 without IPixMatch | 1 | 2500.0 | 1.00x | 100% | 60.0 (60%) | 300 | 3000.0 | 1.00x | 100% | 50.0 (50%) | 250 | 0.83x |');
    // in 1500 ms = 100 = 50 % of 200; in 1250 ms = 120 (60 %)
    expect(lines).toContain('| W2 without IPixMatch | 2 | 1500.0 | 1.67x | 83% | 100.0 (50%) | 300 | 1250.0 | 2.40x | 120% | 120.0 (60%) | 250 | 1.20x |');
    // no peak measured at 4 threads: GFLOP/s alone; W1 not counted
    expect(lines).toContain('| W2 without IPixMatch | 4 | 2500.0 | 1.00x | 25% | 60.0 | 300 | 3000.0 | 1.00x | 25% | 50.0 | 250 | 0.83x |');
    expect(lines).toContain('| W1 | 1 | 10.0 | 1.00x | 100% | - | 300 | 20.0 | 1.00x | 100% | - | 250 | 0.50x |');
  });

  it('--record through the CLI writes the side-by-side block with machine, date, load, duration and the command that reproduces it', () => {
    const file = path.join(dir, 'BENCHMARKS.md');
    fs.writeFileSync(file, '# Benchmarks\n\nintro\n');
    const python = fakePython(dir, { 1: 40 });
    const args = [cli, 'bench', 'scale', '--workloads', 'w1', '--threads', '1', '--rounds', '1', '--steps', '1', '--python', python, '--record', '--benchmarks-file', file];
    // a load below the cores (the test seam's, whatever this machine runs)
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, SSSEG_TEST_LOADAVG: '0.4 0.3 0.2' } });
    expect(child.stderr).toContain('[ssseg] round 1/1: w1 at 1 thread(s), ssseg');
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/load average at the start: 0\.4 0\.3 0\.2, at the end: 0\.4 0\.3 0\.2; took [\d.]+ min/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Benchmarks\n\nintro\n\n<!-- bench:scale -->\n\| workload \| threads \|/);
    expect(text).toMatch(/\| W1 \| 1 \| [\d.]+ \| 1\.00x \| 100% \| - \| \d+ \| 40\.0 \| 1\.00x \| 100% \| - \| 250 \| [\d.]+x \|/);
    expect(text).toMatch(/\| peak: conv 3x3, 256 -> 256, 32x32, B = 8 \| 1 \| [\d.]+ \| 1\.00x \| 100% \| [\d.]+ \(\d+%\) \| \d+ \| 100\.0 \|/);
    expect(text).toContain(`Date: ${new Date().toISOString().slice(0, 10)}`);
    expect(text).toContain('Load average (1, 5, 15 min) at the start: 0.4 0.3 0.2; at the end: 0.4 0.3 0.2.');
    expect(text).toContain(`Command: \`ssseg bench scale --rounds 1 --threads 1 --steps 1 --workloads w1 --python ${python}\`.`);
    expect(text.trimEnd().endsWith('<!-- /bench:scale -->')).toBe(true);
  }, 300_000);

  it('--record refuses a sitting that starts with the load average above the cores, saying so at once and at the end; the table is still printed', () => {
    const file = path.join(dir, 'BENCHMARKS-loaded.md');
    fs.writeFileSync(file, '# Benchmarks\n\nintro\n');
    const cores = os.availableParallelism();
    const args = [cli, 'bench', 'scale', '--workloads', 'w1', '--threads', '1', '--rounds', '1', '--steps', '1', '--no-python', '--record', '--benchmarks-file', file];
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, SSSEG_TEST_LOADAVG: `${cores + 0.5} 1 1` } });
    const said = `not recorded in ${file}: the 1-minute load average was ${(cores + 0.5).toFixed(2)} at the start, above this machine's ${cores} cores`;
    // before the first run, so that no one waits for a sitting that will not be kept
    expect(child.stderr.indexOf(`[ssseg] ${said}`)).toBeGreaterThanOrEqual(0);
    expect(child.stderr.indexOf(`[ssseg] ${said}`)).toBeLessThan(child.stderr.indexOf('[ssseg] round 1/1'));
    expect(child.stderr).toContain(`ssseg: ${said}, so other processes shared the CPUs and the times are not the engines' alone; see what runs with \`top\``);
    expect(child.stderr).not.toMatch(/^\s+at /m);
    expect(child.status).toBe(1);
    expect(child.stdout).toMatch(/\| W1 \| 1 \| [\d.]+ \| 1\.00x \|/);
    expect(child.stdout).not.toContain('recorded in');
    expect(fs.readFileSync(file, 'utf8')).toBe('# Benchmarks\n\nintro\n');
  }, 300_000);

  it('still gives ssseg figures when PyTorch cannot run, and says why', () => {
    const r = runScale({ workloads: ['w1'], threads: [1], rounds: 1, steps: 1, cli, python: fakePython(dir, {}, true) });
    expect(r.rows[0].ssseg!.ms).toBeGreaterThan(0);
    expect(r.rows[0].pytorch).toBeUndefined();
    expect(r.pytorchSkipped).toMatch(/No module named torch/);
    expect(formatScale(r)).toMatch(/PyTorch skipped: .*No module named torch/);
  }, 300_000);
});

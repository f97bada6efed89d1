import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { SssegError } from '@ssseg/core';
import { registerBenchCommand } from './bench';

/** The program as program.ts builds it (its global --backend option), with only the bench command. */
async function bench(args: string[], loadAverage = '0.4 0.3 0.2'): Promise<string> {
  const program = new Command('ssseg').option('--backend <name>', 'tensor backend', 'auto').exitOverride();
  registerBenchCommand(program);
  const out: string[] = [];
  const saved = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
  // the load --record sees (the test seam's, whatever this machine runs)
  process.env.SSSEG_TEST_LOADAVG = loadAverage;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = saved;
    delete process.env.SSSEG_TEST_LOADAVG;
  }
  return out.join('');
}

describe('ssseg bench', () => {
  it('prints W1 as one JSON object with the median step time and the backend', async () => {
    const result = JSON.parse(await bench(['--backend', 'wasm', 'bench', 'w1', '--steps', '2', '--json']));
    expect(result.backend).toBe('wasm');
    expect(result.workload).toBe('W1');
    expect(result.timesMs).toHaveLength(2);
    // the median of two steps is their mean
    expect(result.msPerStep).toBeCloseTo((result.timesMs[0] + result.timesMs[1]) / 2, 6);
    expect(result.command).toBe('ssseg bench w1 --backend wasm --steps 2');
    expect(result.machine).toMatch(/cores/);
  }, 120_000);

  it('--record writes the workload block with table, machine, date and command, keeping the rest', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bench-')), 'BENCHMARKS.md');
    fs.writeFileSync(file, '# Benchmarks\n\nintro\n');
    const printed = await bench(['--backend', 'wasm', 'bench', 'w1', '--steps', '1', '--record', '--benchmarks-file', file]);
    expect(printed).toMatch(/\| wasm \| \d+\.\d \|/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('# Benchmarks\n\nintro\n\n<!-- bench:w1 -->\n| backend |')).toBe(true);
    expect(text).toContain(`Date: ${new Date().toISOString().slice(0, 10)}`);
    expect(text).toContain('Command: `ssseg bench w1 --backend wasm --steps 1`');
    expect(text.trimEnd().endsWith('<!-- /bench:w1 -->')).toBe(true);
  }, 120_000);

  it('--record refuses a workload started with the load average above the cores, leaving the file as it was', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bench-')), 'BENCHMARKS.md');
    fs.writeFileSync(file, '# Benchmarks\n\nintro\n');
    const cores = os.availableParallelism();
    await expect(bench(['--backend', 'wasm', 'bench', 'w1', '--steps', '1', '--record', '--benchmarks-file', file], `${cores + 1} 1 1`)).rejects.toThrow(
      new SssegError(`not recorded in ${file}: the 1-minute load average was ${(cores + 1).toFixed(2)} at the start, above this machine's ${cores} cores, `
        + `so other processes shared the CPUs and the times are not the engines' alone; see what runs with \`top\` and record when the load is at most ${cores}`));
    expect(fs.readFileSync(file, 'utf8')).toBe('# Benchmarks\n\nintro\n');
  }, 120_000);

  it('peak times the peak convolution: its FLOPs counted from the conv call, GFLOP/s from the median', async () => {
    const result = JSON.parse(await bench(['--backend', 'wasm', 'bench', 'peak', '--steps', '1', '--json']));
    expect(result.workload).toBe('peak');
    expect(result.conv).toEqual({ batch: 8, size: 32, inChannels: 256, outChannels: 256, kernel: 3 });
    // 2 * 8 * 32 * 32 * 256 * 256 * 9
    expect(result.flops).toBe(9_663_676_416);
    expect(result.gflops).toBeCloseTo(9_663_676_416 / result.msPerStep / 1e6, 9);
    expect(result.command).toBe('ssseg bench peak --backend wasm --steps 1');
  }, 300_000);

  it('w3 --forms times only the forms asked for; a form that is not relation/distance is named', async () => {
    const result = JSON.parse(await bench(['--backend', 'cpu', 'bench', 'w3', '--sizes', '64', '--steps', '1', '--forms', 'affinity/kl', '--json']));
    expect(result.rows.map((r: { relation: string; distance: string; path: string }) => `${r.relation}/${r.distance}/${r.path}`)).toEqual(['affinity/kl/fast', 'affinity/kl/naive']);
    expect(result.command).toBe('ssseg bench w3 --backend cpu --steps 1 --sizes 64 --forms affinity/kl');
    expect(result.peakRssMiB).toBeGreaterThan(50); // bench scale puts it beside the time
    await expect(bench(['bench', 'w3', '--forms', 'affinity/l2'])).rejects.toThrow(
      new SssegError("--forms: 'affinity/l2' is not relation/distance with relation one of affinity, spatial and distance one of kl, correlation"));
  }, 120_000);

  it('rejects an unknown workload and a bad step count, naming them', async () => {
    await expect(bench(['bench', 'w9'])).rejects.toThrow(new SssegError("unknown workload 'w9' (expected one of w1, w2, w3, w4, w5, loader, peak)"));
    await expect(bench(['bench', 'w1', '--steps', '0'])).rejects.toThrow("--steps must be a positive integer, got '0'");
  });
});

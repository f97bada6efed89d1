import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatScale, runScale } from './scale';

// the built CLI (turbo builds it before the tests run): scale runs it as a child per measurement
const cli = path.join(__dirname, '../../dist/bin.js');

/** An executable standing in for PyTorch's python: prints the reference script's JSON for W1 at the given --threads. */
function fakePython(dir: string, msByThreads: Record<number, number>, fail = false): string {
  const file = path.join(dir, 'python');
  fs.writeFileSync(file, `#!${process.execPath}
const a = process.argv.slice(2), t = Number(a[a.indexOf('--threads') + 1]);
if (${fail}) { process.stderr.write('No module named torch\\n'); process.exit(1); }
console.log(JSON.stringify({ threads: t, w1: { msPerStep: ${JSON.stringify(msByThreads)}[t], peakRssMiB: 250 } }));
`);
  fs.chmodSync(file, 0o755);
  return file;
}

describe('ssseg bench scale', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-scale-'));

  it('times W1 at each thread count in fresh processes beside PyTorch, with speed-up, efficiency and peak RSS', () => {
    const r = runScale({ workloads: ['w1'], threads: [1, 2], rounds: 1, steps: 1, cli, python: fakePython(dir, { 1: 40, 2: 25 }) });
    expect(r.pytorchSkipped).toBeUndefined();
    expect(r.rows.map((row) => [row.workload, row.threads])).toEqual([['W1', 1], ['W1', 2]]);
    for (const row of r.rows) {
      expect(row.ssseg!.ms).toBeGreaterThan(0);
      expect(row.ssseg!.peakRssMiB).toBeGreaterThan(50);
    }
    expect(r.rows.map((row) => row.pytorch)).toEqual([{ ms: 40, peakRssMiB: 250 }, { ms: 25, peakRssMiB: 250 }]);
    const table = formatScale(r);
    // PyTorch: 40 / 25 = 1.60x with 2 threads, 80 % efficiency
    expect(table).toMatch(/\| W1 \| 2 \| [\d.]+ \| [\d.]+x \| \d+% \| \d+ \| 25\.0 \| 1\.60x \| 80% \| 250 \| [\d.]+x \|/);
  }, 300_000);

  it('--record through the CLI writes the side-by-side block with machine, date, load, duration and the command that reproduces it', () => {
    const file = path.join(dir, 'BENCHMARKS.md');
    fs.writeFileSync(file, '# Benchmarks\n\nintro\n');
    const python = fakePython(dir, { 1: 40 });
    const args = [cli, 'bench', 'scale', '--workloads', 'w1', '--threads', '1', '--rounds', '1', '--steps', '1', '--python', python, '--record', '--benchmarks-file', file];
    const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(child.stderr).toContain('[ssseg] round 1/1: w1 at 1 thread(s), ssseg');
    expect(child.status).toBe(0);
    expect(child.stdout).toMatch(/load average at the start: [\d.]+ [\d.]+ [\d.]+, at the end: [\d.]+ [\d.]+ [\d.]+; took [\d.]+ min/);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toMatch(/^# Benchmarks\n\nintro\n\n<!-- bench:scale -->\n\| workload \| threads \|/);
    expect(text).toMatch(/\| W1 \| 1 \| [\d.]+ \| 1\.00x \| 100% \| \d+ \| 40\.0 \| 1\.00x \| 100% \| 250 \| [\d.]+x \|/);
    expect(text).toContain(`Date: ${new Date().toISOString().slice(0, 10)}`);
    expect(text).toMatch(/Load average \(1, 5, 15 min\) at the start: [\d. ]+; at the end: [\d. ]+\. Took [\d.]+ min\./);
    expect(text).toContain(`Command: \`ssseg bench scale --rounds 1 --threads 1 --steps 1 --workloads w1 --python ${python}\`.`);
    expect(text.trimEnd().endsWith('<!-- /bench:scale -->')).toBe(true);
  }, 300_000);

  it('still gives ssseg figures when PyTorch cannot run, and says why', () => {
    const r = runScale({ workloads: ['w1'], threads: [1], rounds: 1, steps: 1, cli, python: fakePython(dir, {}, true) });
    expect(r.rows[0].ssseg!.ms).toBeGreaterThan(0);
    expect(r.rows[0].pytorch).toBeUndefined();
    expect(r.pytorchSkipped).toMatch(/No module named torch/);
    expect(formatScale(r)).toMatch(/PyTorch skipped: .*No module named torch/);
  }, 300_000);
});

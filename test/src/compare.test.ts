import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine } from '@ssseg/engine';
import { runCompare } from '@ssseg/cli';
import { readComparedRun } from '@ssseg/report';

/**
 * A tiny matrix end to end through the real plugins: 2 methods x 2 regularizer settings x 1 split
 * x 1 seed, a few steps each; the report's numbers must be those of the runs' own files.
 */
describe('ssseg compare, end to end', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-compare-'));
  const file = path.join(dir, 'compare.yaml');
  const out = path.join(dir, 'out');

  beforeAll(async () => {
    await initEngine({ backend: 'wasm', verbose: false });
    fs.writeFileSync(file, `
name: tiny matrix
base:
  model: { type: unet, baseWidth: 4, depth: 1 }
  data: { type: mnist-seg, size: 32, valSize: 4, canvas: 32, cacheDir: ${JSON.stringify(path.join(dir, 'cache'))} }
  train: { epochs: 100, maxSteps: 3, evalEverySteps: 3, batchSize: 2, lr: 0.01, optimizer: { type: adam, weightDecay: 0 } }
  engine: { backend: wasm }
methods:
  - { type: fixmatch, pseudoLabeler: { type: threshold, confThreshold: 0 } }
  - { type: mean-teacher, pseudoLabeler: { type: threshold, confThreshold: 0 } }
variants:
  none: []
  entropy: [{ type: entropy-min, weight: 0.5 }]
splits: [1_8]
seeds: [1]
`);
  });

  it('trains every cell once, resumes nothing twice, and reports the runs\' own numbers', async () => {
    const first = await runCompare({ file, outDir: out, quiet: true });
    expect(first.ran.sort()).toEqual(['fixmatch+entropy/1_8/seed1', 'fixmatch+none/1_8/seed1', 'mean-teacher+entropy/1_8/seed1', 'mean-teacher+none/1_8/seed1']);
    expect(first.failed).toEqual([]);
    const report = fs.readFileSync(first.report.markdown, 'utf8');
    for (const id of first.ran) {
      const result = readComparedRun(path.join(out, id));
      expect(result.steps).toBe(3);
      const [method, variant] = id.split('/')[0].split('+');
      const row = report.split('\n').find((l) => l.startsWith(`| ${method} | ${variant} |`));
      expect(row).toBeDefined();
      expect(row).toContain(`${(result.finalMiou! * 100).toFixed(2)} (n=1)`);
      const metrics = fs.readFileSync(path.join(out, id, 'metrics.jsonl'), 'utf8');
      if (variant === 'entropy') expect(metrics).toContain('"loss/entropy"');
      else expect(metrics).not.toContain('"loss/entropy"');
    }
    for (const png of first.report.plots) expect(fs.statSync(png).size).toBeGreaterThan(1000);
    // a second invocation finds every run finished and trains nothing
    const second = await runCompare({ file, outDir: out, quiet: true });
    expect(second.ran).toEqual([]);
    expect(second.skipped).toHaveLength(4);
  });
});

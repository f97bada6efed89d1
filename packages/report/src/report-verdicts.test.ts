import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { encode } from 'fast-png';
import { MetricsWriter, writeFileAtomic } from '@ssseg/core';
import { parseCompareConfig } from './compare-config';
import { expandMatrix, type PlannedRun } from './matrix';
import { writeMatrixIndex } from './matrix-index';
import { gainVerdict } from './stats';
import { writeReport } from './write-report';

/** A finished run whose last evaluation has the given mIoU, with a one-image prediction gallery. */
function finishedRun(outDir: string, run: PlannedRun, miou: number, predictedClass: number): void {
  const dir = path.join(outDir, run.dir);
  const writer = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
  writer.write({ event: 'step', step: 1, epoch: 0, time: 1, loss: 1 });
  writer.write({ event: 'eval', step: 1, epoch: 0, time: 2, miou, iou: [miou, miou], classNames: ['bg', 'fg'] });
  writeFileAtomic(path.join(dir, 'DONE'), JSON.stringify({ steps: 1, finalMiou: miou, bestMiou: miou, wallSeconds: 1 }));
  const gallery = path.join(dir, 'gallery');
  fs.mkdirSync(path.join(gallery, 'step-0000001'), { recursive: true });
  const palette = [[0, 0, 0], [128, 0, 0]];
  const mask = (v: number) => encode({ width: 4, height: 4, data: new Uint8Array(16).fill(v), depth: 8, channels: 1, palette });
  fs.writeFileSync(path.join(gallery, 'image-0.png'), encode({ width: 4, height: 4, data: new Uint8Array(48).fill(200), depth: 8, channels: 3 }));
  fs.writeFileSync(path.join(gallery, 'truth-0.png'), mask(1));
  fs.writeFileSync(path.join(gallery, 'step-0000001', 'prediction-0.png'), mask(predictedClass));
  fs.writeFileSync(path.join(gallery, 'index.json'), JSON.stringify({
    classNames: ['bg', 'fg'], palette, images: [{ id: 'a', image: 'image-0.png', truth: 'truth-0.png' }],
    evaluations: [{ step: 1, predictions: ['step-0000001/prediction-0.png'] }],
  }));
}

function reportFor(seeds: number[], gains: number[]): { outDir: string; matrix: ReturnType<typeof expandMatrix> } {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-verdict-'));
  const matrix = expandMatrix(parseCompareConfig({
    name: 'Verdicts',
    base: { model: { type: 'tiny' }, data: { type: 'stripes' } },
    methods: [{ type: 'fixmatch' }],
    variants: { none: [], kl: [{ type: 'ipixmatch', distance: 'kl', weight: 0.3 }] },
    splits: ['1_32'],
    seeds,
  }));
  writeMatrixIndex(outDir, matrix);
  for (const run of matrix.runs) {
    const i = seeds.indexOf(run.seed);
    finishedRun(outDir, run, run.variant === 'none' ? 0.4 + 0.05 * i : 0.4 + 0.05 * i + gains[i], run.variant === 'none' ? 0 : 1);
  }
  return { outDir, matrix };
}

describe('report verdicts, warnings and gallery', () => {
  it('the verdict rule: n >= 3 and |mean| > 2 x paired std', () => {
    expect(gainVerdict({ mean: 0.05, std: 0.01, n: 3 })).toBe('gain');
    expect(gainVerdict({ mean: -0.05, std: 0.01, n: 3 })).toBe('loss');
    expect(gainVerdict({ mean: 0.05, std: 0.03, n: 3 })).toBe('within noise');
    expect(gainVerdict({ mean: 0.05, std: 0.001, n: 2 })).toBe('within noise');
    expect(gainVerdict({ mean: 0.05, std: NaN, n: 1 })).toBe('within noise');
  });

  it('states the rule, calls a consistent three-seed gain a gain, and spells splits one way', async () => {
    const { outDir } = reportFor([1, 2, 3], [0.03, 0.031, 0.029]);
    const md = fs.readFileSync((await writeReport(outDir)).markdown, 'utf8');
    expect(md).toMatch(/^# Verdicts$/m);
    expect(md).toContain('Verdict rule: a difference counts as a gain (or a loss) only when n >= 3 seeds');
    expect(md).toMatch(/\| fixmatch \| kl \| none \| \+3\.00 ± 0\.10 \(n=3\): gain \|/);
    expect(md).not.toContain('Warning:');
    expect(md).toContain('| method | variant | 1/32 |');
    expect(md).not.toMatch(/1_32(?!\/)/);
    expect(md).toContain('| kl | ipixmatch (distance kl, weight 0.3) |');
  });

  it('warns when fewer than three seeds finished, and calls every gain there within noise', async () => {
    const { outDir } = reportFor([1, 2], [0.05, 0.051]);
    const written = await writeReport(outDir);
    const md = fs.readFileSync(written.markdown, 'utf8');
    expect(md).toContain('Warning: some cells have fewer than 3 finished seeds');
    expect(md).toMatch(/\(n=2\): within noise \|/);
    expect(fs.readFileSync(written.html, 'utf8')).toContain('<p class="warning">Warning:');
  });

  it('draws the prediction grid: image, ground truth, and each run of the first seed', async () => {
    const { outDir } = reportFor([1, 2], [0.01, 0.02]);
    const written = await writeReport(outDir);
    expect(written.plots.map((p) => path.basename(p))).toContain('predictions.png');
    const grid = path.join(outDir, 'predictions.png');
    const meta = await sharp(grid).metadata();
    // 4 columns (image, truth, none, kl) of 128 px tiles with 6 px gaps; a 40 px header and one row
    expect([meta.width, meta.height]).toEqual([4 * 134 + 6, 40 + 134 + 6]);
    const { data, info } = await sharp(grid).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    const centre = (column: number) => pixel(6 + column * 134 + 64, 40 + 6 + 64);
    expect(centre(0)).toEqual([200, 200, 200]);
    expect(centre(1)).toEqual([128, 0, 0]);
    expect(centre(2)).toEqual([0, 0, 0]); // the base run predicted background
    expect(centre(3)).toEqual([128, 0, 0]);
    expect(fs.readFileSync(written.markdown, 'utf8')).toContain('](predictions.png)');
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { encode } from 'fast-png';
import { MetricsWriter, writeFileAtomic } from '@ssseg/core';
import { parseCompareConfig } from './compare-config';
import { expandMatrix, type PlannedRun } from './matrix';
import { writeMatrixIndex } from './matrix-index';
import { formatPairedVerdict, pairedVerdict } from './verdict';
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

/**
 * A one-split comparison of fixmatch with and without a regularizer, and optionally supervised: at
 * seed i the base run ends at 0.4 + 0.05 i, the regularized run gains[i] above it, supervised
 * learning[i] below it.
 */
function reportFor(seeds: number[], gains: number[], learning?: number[]): { outDir: string; matrix: ReturnType<typeof expandMatrix> } {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-verdict-'));
  const matrix = expandMatrix(parseCompareConfig({
    name: 'Verdicts',
    base: { model: { type: 'tiny' }, data: { type: 'stripes' } },
    methods: [...(learning ? [{ type: 'supervised' }] : []), { type: 'fixmatch' }],
    variants: { none: [], kl: [{ type: 'ipixmatch', distance: 'kl', weight: 0.3 }] },
    splits: ['1_32'],
    seeds,
  }));
  writeMatrixIndex(outDir, matrix);
  for (const run of matrix.runs) {
    const i = seeds.indexOf(run.seed);
    const base = 0.4 + 0.05 * i;
    const miou = run.method === 'supervised' ? base - learning![i] : run.variant === 'none' ? base : base + gains[i];
    finishedRun(outDir, run, miou, run.variant === 'none' ? 0 : 1);
  }
  return { outDir, matrix };
}

describe('the verdict rule: the 95 % t-interval of the mean paired difference', () => {
  it('calls [1, 2, 3] undecided: mean 2, sd 1, 2 ± 4.302653 / sqrt(3) = [-0.484, 4.484]', () => {
    const v = pairedVerdict([1, 2, 3]);
    expect(v).toEqual({ n: 3, mean: 2, sd: 1, low: expect.closeTo(-0.48413771175033, 12), high: expect.closeTo(4.48413771175033, 12), ahead: 3, verdict: 'undecided' });
  });

  it('calls a consistent small gain over 8 seeds a gain, which the old |mean| > 2 sd rule did not', () => {
    // mean 0.5; squared deviations sum to 1.5, sd = sqrt(1.5 / 7) = 0.462910; t(0.975, 7) = 2.364624
    // half-width 2.364624 x 0.462910 / sqrt(8) = 0.387002: [0.112998, 0.887002], above zero; 2 sd = 0.93 > 0.5
    const v = pairedVerdict([0.2, 0.9, 0.1, 1.2, 0.4, 0.8, -0.2, 0.6]);
    expect(v.mean).toBeCloseTo(0.5, 12);
    expect(v.sd).toBeCloseTo(0.462910049886276, 12);
    expect(v.low).toBeCloseTo(0.11299751346242, 12);
    expect(v.high).toBeCloseTo(0.88700248653758, 12);
    expect([v.ahead, v.verdict]).toEqual([7, 'gain']);
    expect(Math.abs(v.mean)).toBeLessThan(2 * v.sd);
  });

  it('calls an interval below zero a loss: [-3, -2, -4, -3] is -3 ± 3.182446 x 0.816497 / 2 = [-4.299, -1.701]', () => {
    const v = pairedVerdict([-3, -2, -4, -3]);
    expect(v.low).toBeCloseTo(-4.29922826362511, 12);
    expect(v.high).toBeCloseTo(-1.70077173637489, 12);
    expect([v.ahead, v.verdict]).toEqual([0, 'loss']);
  });

  it('gives no verdict below three seeds, however large the gain, and none for no seed', () => {
    expect(pairedVerdict([5, 5.1])).toMatchObject({ n: 2, ahead: 2, verdict: null });
    expect(pairedVerdict([5])).toMatchObject({ n: 1, sd: NaN, low: NaN, verdict: null });
    expect(pairedVerdict([])).toMatchObject({ n: 0, mean: NaN, verdict: null });
    expect(pairedVerdict([0.5, 0.5, 0.5])).toMatchObject({ low: 0.5, high: 0.5, verdict: 'gain' }); // no spread at all
  });

  it('prints the mean, the interval, n, the seeds ahead and the verdict, in points from fractions', () => {
    expect(formatPairedVerdict(pairedVerdict([0.01, 0.02, 0.03]))).toBe('+2.00 [-0.48, +4.48] (n=3, 3 of 3 ahead): undecided');
    expect(formatPairedVerdict(pairedVerdict([-0.03, -0.02, -0.04, -0.03]))).toBe('-3.00 [-4.30, -1.70] (n=4, 0 of 4 ahead): loss');
    expect(formatPairedVerdict(pairedVerdict([0.05, 0.051]))).toBe('+5.05 (n=2, 2 of 2 ahead); n < 3: no verdict');
    expect(formatPairedVerdict(pairedVerdict([]))).toBe('—');
  });
});

describe('report verdicts, warnings and gallery', () => {
  it('states the rule, calls a consistent three-seed gain a gain, and spells splits one way', async () => {
    // differences 0.03, 0.031, 0.029: mean 3.00 points, sd 0.1, 3 ± 4.302653 x 0.1 / sqrt(3) = [2.75, 3.25]
    const { outDir } = reportFor([1, 2, 3], [0.03, 0.031, 0.029]);
    const md = fs.readFileSync((await writeReport(outDir)).markdown, 'utf8');
    expect(md).toMatch(/^# Verdicts$/m);
    expect(md).toContain('Verdict rule: the 95 % confidence interval of the mean paired difference, mean ± t(0.975, n - 1) × sd / √n');
    expect(md).toContain('a gain when the whole interval lies above zero, a loss when it lies below, undecided when it holds zero; with n < 3 seeds there is no verdict.');
    expect(md).toContain('| fixmatch | kl | none | +3.00 [+2.75, +3.25] (n=3, 3 of 3 ahead): gain |');
    expect(md).not.toContain('Warning:');
    expect(md).not.toContain('Gain over supervised');
    expect(md).toContain('| method | variant | 1/32 |');
    expect(md).not.toMatch(/1_32(?!\/)/);
    expect(md).toContain('| kl | ipixmatch (distance kl, weight 0.3) |');
  });

  it('lists per-class IoU differences for the comparisons that gain or lose, and none for an undecided one', async () => {
    // each run's two classes score its mIoU: the per-class differences are the mIoU differences, +3.00 points on average;
    // fixmatch against supervised: 0.08, 0.09, 0.07 more, +8.00 per class
    const md = fs.readFileSync((await writeReport(reportFor([1, 2, 3], [0.03, 0.031, 0.029], [0.08, 0.09, 0.07]).outDir)).markdown, 'utf8');
    expect(md).toContain('## Per-class IoU differences where a verdict is a gain or a loss (percentage points)');
    expect(md).toContain('| compared | against | split | verdict | bg | fg |');
    expect(md).toContain('| fixmatch | supervised | 1/32 | gain | +8.00 | +8.00 |');
    expect(md).toContain('| fixmatch + kl | fixmatch + none | 1/32 | gain | +3.00 | +3.00 |');
    const undecided = fs.readFileSync((await writeReport(reportFor([1, 2, 3], [0.01, 0.02, 0.03]).outDir)).markdown, 'utf8');
    expect(undecided).not.toContain('Per-class IoU differences');
  });

  it('calls a small gain ahead on 7 of 8 seeds a gain, and [1, 2, 3] points undecided', async () => {
    const eight = await writeReport(reportFor([1, 2, 3, 4, 5, 6, 7, 8], [0.002, 0.009, 0.001, 0.012, 0.004, 0.008, -0.002, 0.006]).outDir);
    expect(fs.readFileSync(eight.markdown, 'utf8')).toContain('| fixmatch | kl | none | +0.50 [+0.11, +0.89] (n=8, 7 of 8 ahead): gain |');
    const three = await writeReport(reportFor([1, 2, 3], [0.01, 0.02, 0.03]).outDir);
    expect(fs.readFileSync(three.html, 'utf8')).toContain('<td class="num">+2.00 [-0.48, +4.48] (n=3, 3 of 3 ahead): undecided</td>');
  });

  it('says whether the base learns: the method against supervised by the same rule', async () => {
    // fixmatch - supervised: 0.05, 0.01, -0.03 points/100: mean 1.00, sd 4.00, 1 ± 4.302653 x 4 / sqrt(3) = [-8.94, +10.94]
    const undecided = fs.readFileSync((await writeReport(reportFor([1, 2, 3], [0.03, 0.031, 0.029], [0.05, 0.01, -0.03]).outDir)).markdown, 'utf8');
    expect(undecided).toContain('## Gain over supervised (percentage points of mIoU)');
    expect(undecided).toContain('| method | against | 1/32 |');
    expect(undecided).toContain('| fixmatch | supervised | +1.00 [-8.94, +10.94] (n=3, 2 of 3 ahead): undecided |');
    expect(undecided.indexOf('## Gain over supervised')).toBeLessThan(undecided.indexOf('## Gain over the base method'));
    expect(undecided.split('Verdict rule:')).toHaveLength(2); // stated once, in the first section with verdicts
    expect(undecided).toMatch(/## Gain over the base method[^\n]*\n\n[^\n]*\n\nCells and verdicts read as in the section above\./);
    // 0.08, 0.09, 0.07: mean 8.00, sd 1.00, 8 ± 2.48 = [5.52, 10.48]
    const learns = fs.readFileSync((await writeReport(reportFor([1, 2, 3], [0.03, 0.031, 0.029], [0.08, 0.09, 0.07]).outDir)).markdown, 'utf8');
    expect(learns).toContain('| fixmatch | supervised | +8.00 [+5.52, +10.48] (n=3, 3 of 3 ahead): gain |');
  });

  it('warns when fewer than three seeds finished, and gives no verdict there', async () => {
    const { outDir } = reportFor([1, 2], [0.05, 0.051]);
    const written = await writeReport(outDir);
    const md = fs.readFileSync(written.markdown, 'utf8');
    expect(md).toContain('Warning: some cells have fewer than 3 finished seeds');
    expect(md).toContain('| fixmatch | kl | none | +5.05 (n=2, 2 of 2 ahead); n < 3: no verdict |');
    expect(fs.readFileSync(written.html, 'utf8')).toContain('<p class="warning">Warning:');
  });

  it('draws the prediction grid: image, ground truth, and each run of the first seed', async () => {
    const { outDir } = reportFor([1, 2], [0.01, 0.02]);
    const written = await writeReport(outDir);
    expect(written.plots.map((p) => path.basename(p))).toContain('predictions.png');
    const grid = path.join(outDir, 'predictions.png');
    const meta = await sharp(grid).metadata();
    // 4 columns (image, truth, none, kl) of 128 px tiles with 6 px gaps; a header of one line of labels (12 + 14 px) and one row
    const header = 12 + 14;
    expect([meta.width, meta.height]).toEqual([4 * 134 + 6, header + 134 + 6]);
    const { data, info } = await sharp(grid).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3));
    const centre = (column: number) => pixel(6 + column * 134 + 64, header + 6 + 64);
    expect(centre(0)).toEqual([200, 200, 200]);
    expect(centre(1)).toEqual([128, 0, 0]);
    expect(centre(2)).toEqual([0, 0, 0]); // the base run predicted background
    expect(centre(3)).toEqual([128, 0, 0]);
    expect(fs.readFileSync(written.markdown, 'utf8')).toContain('](predictions.png)');
  });
});

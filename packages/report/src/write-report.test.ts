import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { MetricsWriter, Rng, isRunDone, runStatus, writeFileAtomic } from '@ssseg/core';
import { parseCompareConfig } from './compare-config';
import { expandMatrix, type PlannedRun } from './matrix';
import { writeMatrixIndex } from './matrix-index';
import { readComparedRun } from './compared-run';
import { svgToPng } from './plots/render';
import { writeReport } from './write-report';

const CLASSES = ['background', 'digit', 'stroke'];

/** Writes what a training run leaves behind: metrics.jsonl (10 steps, evaluations at 5 and 10) and, if finished, DONE. */
function fabricateRun(outDir: string, run: PlannedRun, options: { finish?: boolean; steps?: number; classNames?: string[] } = {}): void {
  const dir = path.join(outDir, run.dir);
  const rng = Rng.fromSeed(run.id);
  const writer = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
  const steps = options.steps ?? 10;
  let best = -1;
  let last = NaN;
  for (let step = 1; step <= steps; step++) {
    writer.write({ event: 'step', step, epoch: Math.floor((step - 1) / 5), time: 1000 + step, loss: 2 / step + rng.uniform(0, 0.1), 'loss/supervised': 1 / step, lr: 0.01, imagesPerSecond: 50 });
    if (step % 5 === 0) {
      // class 2 is absent (NaN) in the first evaluation of seed 1 runs
      const iou = [rng.uniform(0.8, 0.95), rng.uniform(0.3, 0.7), step === 5 && run.seed === 1 ? NaN : rng.uniform(0.2, 0.6)];
      const defined = iou.filter((v) => !Number.isNaN(v));
      last = defined.reduce((s, v) => s + v, 0) / defined.length;
      best = Math.max(best, last);
      writer.write({ event: 'eval', step, epoch: step / 5 - 1, time: 1000 + step, miou: last, iou, pixelAccuracy: 0.9, images: 8, bestMiou: best, ...(options.classNames ? { classNames: options.classNames } : {}) });
    }
  }
  if (options.finish === false) return;
  const wallSeconds = 60 + rng.uniform(0, 30);
  writer.write({ event: 'end', step: steps, epoch: 2, time: 2000, wallSeconds, finalMiou: last, bestMiou: best, failed: false });
  writeFileAtomic(path.join(dir, 'DONE'), JSON.stringify({ steps, finalMiou: last, bestMiou: best, wallSeconds }));
}

/** The last evaluation's mIoU and IoU as a reader of the raw file sees them (NaN is written as "NaN"). */
function lastEval(outDir: string, run: PlannedRun): { miou: number; iou: number[] } {
  const lines = fs.readFileSync(path.join(outDir, run.dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const evals = lines.filter((l) => l.event === 'eval');
  const e = evals[evals.length - 1];
  return { miou: Number(e.miou), iou: e.iou.map(Number) };
}

function naiveMeanStd(xs: number[]): [number, number] {
  let sum = 0;
  for (const x of xs) sum += x;
  const m = sum / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return [m, Math.sqrt(ss / (xs.length - 1))];
}

/** The row of a markdown table (within `## heading`) whose first cells are `first`. */
function tableRow(markdown: string, heading: string, first: string[]): string[] {
  const sectionText = markdown.split('\n## ').find((s) => s.startsWith(heading));
  if (!sectionText) throw new Error(`no section ${heading}`);
  const row = sectionText.split('\n').find((l) => l.startsWith(`| ${first.join(' | ')} |`));
  if (!row) throw new Error(`no row ${first.join(', ')} in ${heading}`);
  return row.slice(2, -2).split(' | ');
}

const compare = parseCompareConfig({
  name: 'fixture',
  base: { model: { type: 'tiny' }, data: { type: 'stripes' } },
  methods: [{ type: 'fixmatch' }, { type: 'unimatch' }],
  variants: { none: [], kl: [{ type: 'ipixmatch', distance: 'kl', weight: 0.3 }] },
  splits: ['1_64'],
  seeds: [1, 2],
});

describe('comparison report', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-report-'));
  const matrix = expandMatrix(compare);
  writeMatrixIndex(outDir, matrix);
  for (const run of matrix.runs) fabricateRun(outDir, run);

  it('reads a finished run folder', () => {
    const run = matrix.runs[0];
    expect(isRunDone(path.join(outDir, run.dir))).toBe(true);
    const result = readComparedRun(path.join(outDir, run.dir));
    const expected = lastEval(outDir, run);
    expect(result).toMatchObject({ id: 'fixmatch+none/1_64/seed1', method: 'fixmatch', variant: 'none', split: '1_64', seed: 1, steps: 10 });
    expect(result.finalMiou).toBe(expected.miou);
    expect(result.perClassIoU).toEqual(expected.iou);
    expect(result.curve).toHaveLength(10);
    expect(result.curve[4]).toEqual({ step: 5, loss: expect.any(Number), miou: expect.any(Number) });
    expect(result.curve[3].miou).toBeUndefined();
    expect(result.bestMiou).toBe(Math.max(result.curve[4].miou!, result.curve[9].miou!));
  });

  it('writes tables whose numbers are those of the metrics files', async () => {
    const written = await writeReport(outDir, { classNames: CLASSES });
    expect(written.markdown).toBe(path.join(outDir, 'report.md'));
    const md = fs.readFileSync(written.markdown, 'utf8');
    const runsOf = (method: string, variant: string) => matrix.runs.filter((r) => r.method === method && r.variant === variant);

    for (const method of ['fixmatch', 'unimatch']) {
      for (const variant of ['none', 'kl']) {
        const [m, s] = naiveMeanStd(runsOf(method, variant).map((r) => lastEval(outDir, r).miou));
        expect(tableRow(md, 'Final mIoU', [method, variant])).toEqual([method, variant, `${(m * 100).toFixed(2)} ± ${(s * 100).toFixed(2)} (n=2)`]);

        const perClass = CLASSES.map((_, c) => {
          const defined = runsOf(method, variant).map((r) => lastEval(outDir, r).iou[c]).filter((v) => !Number.isNaN(v));
          return (defined.reduce((a, b) => a + b, 0) / defined.length * 100).toFixed(2);
        });
        expect(tableRow(md, 'Per-class IoU', [method, variant])).toEqual([method, variant, '2', ...perClass]);
      }
      const base = new Map(runsOf(method, 'none').map((r) => [r.seed, lastEval(outDir, r).miou]));
      const diffs = runsOf(method, 'kl').map((r) => lastEval(outDir, r).miou - base.get(r.seed)!);
      const [gm] = naiveMeanStd(diffs);
      const sign = gm >= 0 ? '+' : '';
      const ahead = diffs.filter((d) => d > 0).length;
      expect(tableRow(md, 'Gain over the base method', [method, 'kl'])).toEqual([method, 'kl', 'none', `${sign}${(gm * 100).toFixed(2)} (n=2, ${ahead} of 2 ahead); n < 3: no verdict`]);
    }
    expect(md).toContain('| method | variant | n | background | digit | stroke |');
    expect(md).toContain('None: every planned run finished.');
    for (const run of matrix.runs) expect(md).toContain(`| \`${run.id}\` | done |`);

    const html = fs.readFileSync(written.html, 'utf8');
    const [m, s] = naiveMeanStd(runsOf('unimatch', 'kl').map((r) => lastEval(outDir, r).miou));
    expect(html).toContain(`<td class="num">${(m * 100).toFixed(2)} ± ${(s * 100).toFixed(2)} (n=2)</td>`);
    expect(html).toContain('<img src="miou-by-split.png"');
    expect(html).toContain('<img src="training-curves.png"');
    expect(md).toContain('](miou-by-split.png)');
  });

  it('renders the plots as PNG files of a sensible size', async () => {
    const { plots } = await writeReport(outDir);
    expect(plots.map((p) => path.basename(p))).toEqual(['miou-by-split.png', 'training-curves.png']);
    for (const file of plots) {
      const meta = await sharp(file).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBeGreaterThan(500);
      expect(meta.height).toBeGreaterThan(300);
      expect(meta.width).toBeLessThan(4000);
      // white background with dark ink (axes, labels, lines) on it
      const stats = await sharp(file).stats();
      expect(stats.channels[0].max).toBe(255);
      expect(stats.channels[0].min).toBeLessThan(80);
    }
  });

  it('lists unfinished runs as missing and leaves them out of the statistics', async () => {
    const partialDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-report-'));
    writeMatrixIndex(partialDir, matrix);
    const [stopped, notStarted, ...finished] = matrix.runs;
    for (const run of finished) fabricateRun(partialDir, run);
    fabricateRun(partialDir, stopped, { finish: false, steps: 7 });
    expect(runStatus(path.join(partialDir, stopped.dir))).toEqual({ state: 'incomplete', step: 7 });
    expect(runStatus(path.join(partialDir, notStarted.dir))).toEqual({ state: 'not-started' });
    expect(() => readComparedRun(path.join(partialDir, stopped.dir))).toThrow(/fixmatch\+none\/1_64\/seed1 has not finished/);
    const failedDir = path.join(os.tmpdir(), `ssseg-failed-${process.pid}`);
    new MetricsWriter(path.join(failedDir, 'metrics.jsonl')).write({ event: 'end', step: 3, epoch: 0, time: 1, failed: true, stoppedBecause: 'loss is NaN' });
    expect(runStatus(failedDir)).toEqual({ state: 'failed', step: 3, detail: 'loss is NaN' });
    fs.rmSync(failedDir, { recursive: true });

    const { markdown, summary } = await writeReport(partialDir);
    const md = fs.readFileSync(markdown, 'utf8');
    expect(summary.missing.map((r) => r.id)).toEqual([stopped.id, notStarted.id]);
    expect(md).toContain(`- \`${stopped.id}\`: incomplete: running or stopped at step 7`);
    expect(md).toContain(`- \`${notStarted.id}\`: not started`);
    // fixmatch + none has no finished seed: no value, and no paired gain for fixmatch + kl
    expect(tableRow(md, 'Final mIoU', ['fixmatch', 'none'])[2]).toBe('—');
    expect(tableRow(md, 'Gain over the base method', ['fixmatch', 'kl'])[3]).toBe('—');
    const one = lastEval(partialDir, matrix.runs.find((r) => r.id === 'unimatch+none/1_64/seed1')!).miou;
    expect(tableRow(md, 'Final mIoU', ['unimatch', 'none'])[2]).toMatch(/ \(n=2\)$/);
    expect(one).toBeGreaterThan(0);
  });

  it('says which cells it skipped, and checks the class names', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-report-'));
    const withSupervised = expandMatrix(parseCompareConfig({ ...compare, methods: [{ type: 'supervised' }, { type: 'fixmatch' }], seeds: [1] }));
    writeMatrixIndex(dir, withSupervised);
    for (const run of withSupervised.runs) fabricateRun(dir, run);
    const md = fs.readFileSync((await writeReport(dir)).markdown, 'utf8');
    expect(md).toMatch(/## Skipped cells[\s\S]*- supervised \+ kl: supervised has no unlabelled term/);
    expect(md).toContain('| supervised | none | ');
    expect(md).not.toContain('| supervised | kl |');
    expect(tableRow(md, 'Final mIoU', ['fixmatch', 'none'])[2]).toMatch(/^\d+\.\d\d \(n=1\)$/);
    expect(tableRow(md, 'Gain over supervised', ['fixmatch', 'supervised'])[2]).toMatch(/^[+-]\d+\.\d\d \(n=1, [01] of 1 ahead\); n < 3: no verdict$/);
    await expect(writeReport(dir, { classNames: ['a', 'b'] })).rejects.toThrow(/2 class names given, but the runs report IoU for 3 classes/);
  });

  it('labels the per-class table with the class names the runs recorded when none are given', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-report-'));
    writeMatrixIndex(dir, matrix);
    for (const run of matrix.runs) fabricateRun(dir, run, { classNames: ['sky', 'road', 'car'] });
    expect(readComparedRun(path.join(dir, matrix.runs[0].dir)).classNames).toEqual(['sky', 'road', 'car']);
    const fromRuns = fs.readFileSync((await writeReport(dir)).markdown, 'utf8');
    expect(fromRuns).toContain('| method | variant | n | sky | road | car |');
    const given = fs.readFileSync((await writeReport(dir, { classNames: CLASSES })).markdown, 'utf8');
    expect(given).toContain('| method | variant | n | background | digit | stroke |');
    // runs logged before evaluations carried names still get numbered classes
    expect(fs.readFileSync((await writeReport(outDir)).markdown, 'utf8')).toContain('| method | variant | n | class 0 | class 1 | class 2 |');
  });

  it('draws text: a font is installed for the SVG rasteriser', async () => {
    // Without any font, sharp (librsvg) draws nothing for <text>: the PNG stays white.
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><text x="10" y="40" font-family="DejaVu Sans, sans-serif" font-size="32" fill="#000">mIoU</text></svg>';
    const { channels } = await sharp(await svgToPng(svg)).stats();
    expect(channels[0].min).toBeLessThan(60);
    expect(channels[0].mean).toBeLessThan(250);
  });
});

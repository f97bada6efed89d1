import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { encode } from 'fast-png';
import { MetricsWriter, lockFolder, writeFileAtomic } from '@ssseg/core';
import { readSingleRun } from './read-single-run';
import { runCurvesSpec } from './run-curves-spec';
import { writeRunReport } from './write-run-report';
import { headerLines } from '../gallery-grid';

const CONFIG = `method:
  type: unimatch
  pseudoLabeler:
    type: threshold
    confThreshold: 0.95
  views: [strong, strong]
  loss:
    weights: { sup: 1, unsup: 0.5 }
regularizers:
  - type: ipixmatch
    relation: affinity
    weight: 0.3
    name: ipixmatch
model:
  type: unet
  baseWidth: 16
data:
  type: mnist-seg
  split: 1_16
train:
  maxSteps: 40
  seed: 3
`;

/** A run folder as training leaves it: 40 steps (or `steps`), an evaluation every 10, a one-image gallery, DONE when finished. */
function fabricateRun(options: { steps?: number; finish?: boolean; tornTail?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-run-report-'));
  fs.writeFileSync(path.join(dir, 'config.yaml'), CONFIG);
  const writer = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
  const steps = options.steps ?? 40;
  for (let step = 1; step <= steps; step++) {
    writer.write({
      event: 'step', step, epoch: 0, time: step, loss: 3 / step, 'loss/sup': 2 / step, 'loss/s1': 1 / step, 'loss/ipixmatch': 0.01 * step,
      lr: 0.01 * (1 - step / 41), confident: step / 40, 'ipixmatch/confident': step / 80, imagesPerSecond: 20,
    });
    if (step % 10 === 0) {
      const iou = [0.9, step / 100, step === 30 ? NaN : step / 50];
      writer.write({ event: 'eval', step, epoch: 0, time: step, miou: step === 30 ? 0.9 : 0.2 + step / 100, iou, classNames: ['background', 'digit', 'stroke'] });
    }
  }
  if (options.tornTail) fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"event":"step","step":41,"ep');
  if (options.finish !== false) {
    writer.write({ event: 'end', step: steps, epoch: 1, time: 99, wallSeconds: 75, finalMiou: 0.6, bestMiou: 0.9, failed: false });
    writeFileAtomic(path.join(dir, 'DONE'), JSON.stringify({ steps, finalMiou: 0.6, bestMiou: 0.9, wallSeconds: 75 }));
  }
  const gallery = path.join(dir, 'gallery');
  fs.mkdirSync(path.join(gallery, 'step-0000040'), { recursive: true });
  const palette = [[0, 0, 0], [128, 0, 0], [0, 128, 0]];
  const mask = (v: number) => encode({ width: 4, height: 4, data: new Uint8Array(16).fill(v), depth: 8, channels: 1, palette });
  fs.writeFileSync(path.join(gallery, 'image-0.png'), encode({ width: 4, height: 4, data: new Uint8Array(48).fill(200), depth: 8, channels: 3 }));
  fs.writeFileSync(path.join(gallery, 'truth-0.png'), mask(1));
  fs.writeFileSync(path.join(gallery, 'step-0000040', 'prediction-0.png'), mask(2));
  fs.writeFileSync(path.join(gallery, 'index.json'), JSON.stringify({
    classNames: ['background', 'digit', 'stroke'], palette, images: [{ id: 'a', image: 'image-0.png', truth: 'truth-0.png' }],
    evaluations: [{ step: 40, predictions: ['step-0000040/prediction-0.png'] }],
  }));
  return dir;
}

describe('single-run report', () => {
  it('reads every logged term, the evaluations and the configuration from the folder', () => {
    const run = readSingleRun(fabricateRun());
    expect([run.method.type, run.regularizers.map((r) => r.type), run.model.type, run.data.options.split, run.seed]).toEqual(['unimatch', ['ipixmatch'], 'unet', '1_16', 3]);
    expect([...run.series.keys()].sort()).toEqual(['confident', 'imagesPerSecond', 'ipixmatch/confident', 'loss', 'loss/ipixmatch', 'loss/s1', 'loss/sup', 'lr']);
    expect(run.series.get('loss/sup')!.map((p) => p.value)).toEqual(Array.from({ length: 40 }, (_, i) => 2 / (i + 1)));
    expect(run.evaluations.map((e) => [e.step, e.miou])).toEqual([[10, 0.2 + 10 / 100], [20, 0.2 + 20 / 100], [30, 0.9], [40, 0.2 + 40 / 100]]);
    expect(Number.isNaN(run.evaluations[2].iou[2])).toBe(true);
    expect([run.status.state, run.steps, run.wallSeconds]).toEqual(['done', 40, 75]);
  });

  it('reads a run that is still going, leaving out a torn last line', () => {
    const run = readSingleRun(fabricateRun({ steps: 25, finish: false, tornTail: true }));
    expect([run.status.state, run.steps, run.maxSteps]).toEqual(['incomplete', 25, 40]);
    expect(run.series.get('loss')!.length).toBe(25);
  });

  it('draws one line per loss term, mIoU per evaluation, lr and the confident shares, at most 200 points a line', () => {
    const long = fabricateRun({ steps: 1000 });
    const spec = JSON.stringify(runCurvesSpec(readSingleRun(long)));
    const panels = (runCurvesSpec(readSingleRun(long)) as unknown as { vconcat: { hconcat: { title: string; data: { values: { series?: string }[] } }[] }[] }).vconcat.flatMap((r) => r.hconcat);
    expect(panels.map((p) => p.title)).toEqual(['Training loss terms', 'Validation mIoU', 'Learning rate', 'Confident share of pixels (%)']);
    const lossLines = panels[0].data.values;
    expect([...new Set(lossLines.map((v) => v.series))]).toEqual(['loss', 'loss/sup', 'loss/s1', 'loss/ipixmatch']);
    expect(lossLines.filter((v) => v.series === 'loss').length).toBeLessThanOrEqual(200);
    expect(panels[1].data.values.length).toBe(100);
    expect(spec).not.toContain('imagesPerSecond');
  });

  it('writes report.md and report.html with the numbers of the folder, the curves and the prediction grid', async () => {
    const dir = fabricateRun();
    const report = await writeRunReport(dir);
    const md = fs.readFileSync(report.markdown, 'utf8');
    expect(md).toContain('# Run: unimatch + ipixmatch on mnist-seg, split 1/16, seed 3');
    expect(md).toContain('Status: finished after 40 steps; wall time 1 min 15 s.');
    expect(md).toContain('Last evaluation (step 40): 60.00; best: 90.00 at step 30.');
    expect(md).toContain('| regularizer 1 | ipixmatch (relation affinity, weight 0.3, name ipixmatch) |');
    // nested options read as the config does: a component by its type, a section in parentheses, a list in brackets
    expect(md).toContain('| method | unimatch (pseudoLabeler threshold (confThreshold 0.95), views [strong, strong], loss (weights (sup 1, unsup 0.5))) |');
    expect(md).not.toContain('{"');
    expect(md).toMatch(/\| stroke \| +80\.00 \|/);
    expect(md).toContain('![');
    for (const image of ['run-curves.png', 'predictions.png']) {
      const meta = await sharp(path.join(dir, image)).metadata();
      expect(meta.width).toBeGreaterThan(200);
    }
    const html = fs.readFileSync(report.html, 'utf8');
    expect(html).toContain('<img src="run-curves.png"');
    expect(html).toContain('unimatch (pseudoLabeler threshold (confThreshold 0.95)');
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false);
  });

  it('refuses to write into a folder a run is still writing, and writes elsewhere with out', async () => {
    const dir = fabricateRun({ steps: 15, finish: false });
    const held = lockFolder(dir, 'ssseg train');
    try {
      await expect(writeRunReport(dir)).rejects.toThrow(/ssseg train.*the run is still being written: give the report another folder \(--out DIR\)/s);
      const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-run-report-out-')), 'report');
      const report = await writeRunReport(dir, out);
      expect(fs.readFileSync(report.markdown, 'utf8')).toContain('running or stopped at step 15 of 40');
      expect(fs.existsSync(path.join(dir, 'report.md'))).toBe(false);
    } finally {
      held.release();
    }
  });

  it('names the folder when it is neither a run nor a comparison', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-not-a-run-'));
    await expect(writeRunReport(empty)).rejects.toThrow(/not a run folder \(no config\.yaml\) and not a comparison folder \(no matrix\.json\)/);
  });
});

describe('prediction grid column titles', () => {
  it('break a title too wide for its tile into lines that fit, never cutting a word that fits', () => {
    expect(headerLines('image')).toEqual(['image']);
    expect(headerLines('prediction: mean-teacher + ipixmatch')).toEqual(['prediction:', 'mean-teacher +', 'ipixmatch']);
    for (const line of headerLines('prediction: unimatch + ipixmatch + entropy-min')) expect(line.length).toBeLessThanOrEqual(19);
    expect(headerLines('a-run-id-far-too-long-for-one-tile')).toEqual(['…-long-for-one-tile']);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { encode } from 'fast-png';
import { MetricsWriter, writeFileAtomic } from '@ssseg/core';
import { expandMatrix, parseCompareConfig, writeMatrixIndex, writeReport } from '@ssseg/report';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);
const maybe = hasChromium ? describe : describe.skip;

/** A finished run with two evaluations and a one-image gallery, as a training run leaves them. */
function finishedRun(dir: string, miou: number): void {
  const writer = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
  for (const step of [1, 2]) {
    writer.write({ event: 'step', step, epoch: 0, time: step, loss: 1 / step });
    writer.write({ event: 'eval', step, epoch: 0, time: step, miou: miou * step / 2, iou: [miou, miou], classNames: ['background', 'digit'] });
  }
  writeFileAtomic(path.join(dir, 'DONE'), JSON.stringify({ steps: 2, finalMiou: miou, bestMiou: miou, wallSeconds: 3 }));
  const gallery = path.join(dir, 'gallery');
  fs.mkdirSync(path.join(gallery, 'step-0000002'), { recursive: true });
  const palette = [[0, 0, 0], [128, 0, 0]];
  fs.writeFileSync(path.join(gallery, 'image-0.png'), encode({ width: 8, height: 8, data: new Uint8Array(192).fill(180), depth: 8, channels: 3 }));
  fs.writeFileSync(path.join(gallery, 'truth-0.png'), encode({ width: 8, height: 8, data: new Uint8Array(64).fill(1), depth: 8, channels: 1, palette }));
  fs.writeFileSync(path.join(gallery, 'step-0000002', 'prediction-0.png'), encode({ width: 8, height: 8, data: new Uint8Array(64), depth: 8, channels: 1, palette }));
  fs.writeFileSync(path.join(gallery, 'index.json'), JSON.stringify({
    classNames: ['background', 'digit'], palette, images: [{ id: 'a', image: 'image-0.png', truth: 'truth-0.png' }],
    evaluations: [{ step: 2, predictions: ['step-0000002/prediction-0.png'] }],
  }));
}

maybe('report.html in a browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(() => browser?.close());

  it('shows its plots and prediction grid, gives one seed no verdict, and fits a 700 px window', async () => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-report-browser-'));
    const matrix = expandMatrix(parseCompareConfig({
      name: 'Browser check',
      base: { model: { type: 'unet' }, data: { type: 'mnist-seg' } },
      methods: [{ type: 'fixmatch' }],
      variants: { none: [], kl: [{ type: 'ipixmatch', distance: 'kl', weight: 0.3 }] },
      splits: ['1_64'], seeds: [1],
    }));
    writeMatrixIndex(outDir, matrix);
    for (const run of matrix.runs) finishedRun(path.join(outDir, run.dir), run.variant === 'none' ? 0.2 : 0.25);
    const { html } = await writeReport(outDir);

    const page = await browser.newPage({ viewport: { width: 700, height: 900 } });
    await page.goto(`file://${html}`);
    const images = await page.locator('img').evaluateAll((els) => (els as HTMLImageElement[]).map((img) => [img.getAttribute('src'), img.complete ? img.naturalWidth : 0]));
    expect(images.map(([src]) => src)).toEqual(['miou-by-split.png', 'predictions.png', 'training-curves.png']);
    for (const [, width] of images) expect(width).toBeGreaterThan(0);
    expect(await page.locator('body').textContent()).toContain('+5.00 (n=1, 1 of 1 ahead); n < 3: no verdict');
    expect(await page.locator('p.warning').count()).toBe(1);
    // the page itself does not scroll sideways: wide tables scroll inside their own box
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
    fs.mkdirSync(path.resolve(__dirname, '../screenshots'), { recursive: true });
    await page.screenshot({ path: path.resolve(__dirname, '../screenshots/report-700px.png'), fullPage: true });
    await page.close();
  });
});

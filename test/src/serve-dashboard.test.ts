import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { encodePaletteMask, encodeRgbPng, galleryNames, type GalleryIndex } from '@ssseg/core';
import { startServer, type RunningServer } from '@ssseg/serve';

// A real browser (Debian's chromium, which .ci/run installs) on the dashboard while a real run trains.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);
  console.warn(`dashboard browser tests skipped: no ${CHROMIUM} (apt-get install chromium)`);
}
const maybe = hasChromium ? describe : describe.skip;

const repoRoot = path.resolve(__dirname, '../..');
const cli = path.join(repoRoot, 'packages/cli/bin/ssseg.js');

function finishedFixtureRun(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'method: { type: supervised }\ndata: { type: mnist-seg, split: 1_64 }\ntrain: { maxSteps: 4, seed: 1 }\n');
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), [
    { event: 'step', step: 4, epoch: 0, time: 1, loss: 1.2 },
    { event: 'eval', step: 4, epoch: 0, time: 2, miou: 0.1, iou: Array(11).fill(0.1), classNames: ['background', ...Array.from({ length: 10 }, (_, d) => `digit ${d}`)] },
  ].map((r) => JSON.stringify(r) + '\n').join(''));
  fs.writeFileSync(path.join(dir, 'DONE'), JSON.stringify({ steps: 4, finalMiou: 0.1, bestMiou: 0.1, wallSeconds: 1 }));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

maybe('ssseg serve in a browser', () => {
  let root: string;
  let training: ChildProcess;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let trainingLog = '';

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-dashboard-'));
    finishedFixtureRun(path.join(root, 'finished'));
    fs.writeFileSync(path.join(root, 'tiny.yaml'), [
      'method: { type: supervised }',
      'model: { type: unet, baseWidth: 4, depth: 2 }',
      'data: { type: mnist-seg, split: 1_16, size: 64, valSize: 4 }',
      'train: { epochs: 100000, evalEverySteps: 3, batchSize: 2, lr: 0.003, optimizer: { type: adam, weightDecay: 0 } }',
      'eval: { galleryImages: 2 }',
      'engine: { threads: 1 }',
    ].join('\n'));
    training = spawn(process.execPath, [cli, 'train', '--config', path.join(root, 'tiny.yaml'), '--out', path.join(root, 'live')], { stdio: ['ignore', 'pipe', 'pipe'] });
    training.stdout!.on('data', (d) => (trainingLog += d));
    training.stderr!.on('data', (d) => (trainingLog += d));
    server = await startServer({ dir: root, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  });

  afterAll(async () => {
    training?.kill('SIGKILL');
    await browser?.close();
    await server?.close();
  });

  it('shows the training run, its curves growing without a reload, and its predictions', async () => {
    await page.goto(server.url);
    await waitFor('the live run to train and evaluate', async () => {
      if (training.exitCode !== null) throw new Error(`training stopped early:\n${trainingLog}`);
      const lastMiou = page.locator('tr[data-run="live"] td:nth-child(9)');
      return (await lastMiou.count()) && (await lastMiou.textContent()) !== '–' ? true : undefined;
    }, 240_000);
    expect(await page.locator('tr[data-run="live"] .status').textContent()).toBe('running');
    expect(await page.locator('tr[data-run="finished"] .status').textContent()).toBe('done');

    const pointsNow = Number(await page.locator('#chart-metric').getAttribute('data-points'));
    await waitFor('new training points in the open page', async () => {
      if (training.exitCode !== null) throw new Error(`training stopped early:\n${trainingLog}`);
      return Number(await page.locator('#chart-metric').getAttribute('data-points')) > pointsNow ? true : undefined;
    }, 120_000);

    // one run alone: the per-class table and the gallery show that run's columns
    await page.locator('input[data-run="finished"]').uncheck();
    await waitFor('the per-class table of the live run alone', async () => {
      const headers = await page.locator('#per-class th').allTextContents();
      return headers.join('|') === 'class|live' ? true : undefined;
    }, 30_000);
    const sizes = await waitFor('gallery images', async () => {
      const images = await page.locator('#gallery img').evaluateAll((els) => (els as HTMLImageElement[]).map((img) => (img.complete ? img.naturalWidth : 0)));
      return images.length === 6 && images.every((w) => w > 0) ? images : undefined;
    }, 60_000);
    expect(sizes).toEqual(Array(6).fill(64));
    expect(await page.locator('#legend').textContent()).toContain('digit 9');
    // every class stands out on the black background (VOC's map drew digit 7 as (64, 0, 0))
    const swatches = await page.locator('#legend .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    const contrastOnBlack = (css: string) => {
      const [r, g, b] = (css.match(/\d+/g) ?? []).map(Number).map((v) => v / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05) / 0.05;
    };
    expect(swatches).toHaveLength(11);
    for (const colour of swatches.slice(1)) expect(contrastOnBlack(colour)).toBeGreaterThanOrEqual(3);
    fs.mkdirSync(path.join(repoRoot, 'test', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test', 'screenshots', 'dashboard-live.png'), fullPage: true });

    // the heading and the tab name the served folder once ('ssseg runs runs' before)
    expect(await page.locator('h1').textContent()).toBe(`ssseg ${path.basename(root)}`);
    expect(await page.title()).toBe(`ssseg: ${path.basename(root)}`);
    // at 700 px the runs table fits its box: no sideways scrolling
    await page.setViewportSize({ width: 700, height: 1400 });
    const overflow = await page.locator('#runs').evaluate((table) => table.scrollWidth - (table.parentElement as HTMLElement).clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(repoRoot, 'test', 'screenshots', 'dashboard-700px.png'), fullPage: true });
  }, 480_000);
});

/** A gallery of one image, its ground truth and one prediction at step 4, as real PNGs. */
function fixtureGallery(runDir: string): void {
  const dir = path.join(runDir, 'gallery');
  fs.mkdirSync(path.join(dir, path.dirname(galleryNames.prediction(4, 0))), { recursive: true });
  const size = 16;
  const mask = Array.from({ length: size * size }, (_, i) => (i % size < size / 2 ? 0 : 1));
  fs.writeFileSync(path.join(dir, galleryNames.image(0)), encodeRgbPng({ id: 'val-0', image: new Float32Array(size * size * 3).fill(0.5), height: size, width: size }));
  fs.writeFileSync(path.join(dir, galleryNames.truth(0)), encodePaletteMask(mask, size, size));
  fs.writeFileSync(path.join(dir, galleryNames.prediction(4, 0)), encodePaletteMask(mask, size, size));
  const index: GalleryIndex = {
    classNames: ['background', 'digit 0'],
    palette: [[0, 0, 0], [128, 0, 0]],
    images: [{ id: 'val-0', image: galleryNames.image(0), truth: galleryNames.truth(0) }],
    evaluations: [{ step: 4, predictions: [galleryNames.prediction(4, 0)] }],
  };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
}

maybe('ssseg serve --token in a browser', () => {
  let serve: ChildProcess;
  let browser: Browser;

  afterAll(async () => {
    serve?.kill('SIGKILL');
    await browser?.close();
  });

  it('opens from the printed address, keeps the token in a cookie, and loads the data and images with it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-dashboard-token-'));
    finishedFixtureRun(path.join(root, 'finished'));
    fixtureGallery(path.join(root, 'finished'));
    serve = spawn(process.execPath, [cli, 'serve', root, '--port', '0', '--host', '0.0.0.0', '--token'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    serve.stdout!.on('data', (d) => (log += d));
    serve.stderr!.on('data', (d) => (log += d));
    const printed = await waitFor('ssseg serve to print its address', async () => {
      if (serve.exitCode !== null) throw new Error(`ssseg serve ended:\n${log}`);
      return /serving .* at (http:\S+)/.exec(log)?.[1];
    }, 60_000);
    const address = new URL(printed);
    address.hostname = '127.0.0.1'; // it listens on every address; the browser is on this machine

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const refused = await page.goto(`http://127.0.0.1:${address.port}/`);
    expect(refused?.status()).toBe(401);

    await page.goto(address.href);
    expect(page.url()).toBe(`http://127.0.0.1:${address.port}/`);
    await waitFor('the finished run in the table', async () => (await page.locator('tr[data-run="finished"] .status').textContent().catch(() => null)) === 'done' || undefined, 30_000);
    const widths = await waitFor('the gallery images', async () => {
      const images = await page.locator('#gallery img').evaluateAll((els) => (els as HTMLImageElement[]).map((img) => (img.complete ? img.naturalWidth : 0)));
      return images.length === 3 && images.every((w) => w > 0) ? images : undefined;
    }, 30_000);
    expect(widths).toEqual([16, 16, 16]);
    fs.mkdirSync(path.join(repoRoot, 'test', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test', 'screenshots', 'dashboard-token.png'), fullPage: true });
  }, 120_000);
});

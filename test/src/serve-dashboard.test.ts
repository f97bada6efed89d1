import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
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
    fs.mkdirSync(path.join(repoRoot, 'test', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(repoRoot, 'test', 'screenshots', 'dashboard-live.png'), fullPage: true });
  }, 480_000);
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium } from 'playwright-core';
import { CLI, writeTinyRunConfig } from './testing/tiny-run';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests`);
const maybe = hasChromium ? describe : describe.skip;

maybe('ssseg report RUN_DIR, through the CLI and in a browser', () => {
  it('reports a single trained run: its numbers, its curves and its predictions, in a 700 px window', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-run-report-cli-'));
    const config = writeTinyRunConfig(dir, 'fixmatch');
    const out = path.join(dir, 'run');
    const train = spawnSync(process.execPath, [CLI, 'train', '--config', config, '--out', out], { encoding: 'utf8' });
    expect(train.status).toBe(0);
    const report = spawnSync(process.execPath, [CLI, 'report', out], { encoding: 'utf8' });
    expect(report.stderr).toBe('');
    expect(report.status).toBe(0);

    const evals = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.event === 'eval');
    expect(report.stdout).toContain(`fixmatch: 6 steps, mIoU ${(evals[1].miou * 100).toFixed(2)} at step 6`);
    const markdown = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain(`| 3 | ${(evals[0].miou * 100).toFixed(2)} |`);
    expect(markdown).toContain('# Run: fixmatch on mnist-seg, split 1/16, seed 1');

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 700, height: 900 } });
      await page.goto(`file://${path.join(out, 'report.html')}`);
      const images = await page.locator('img').evaluateAll((els) => (els as HTMLImageElement[]).map((img) => [img.getAttribute('src'), img.complete ? img.naturalWidth : 0]));
      expect(images.map(([src]) => src)).toEqual(['run-curves.png', 'predictions.png']);
      for (const [, width] of images) expect(width).toBeGreaterThan(100);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(700);
      fs.mkdirSync(path.resolve(__dirname, '../screenshots'), { recursive: true });
      await page.screenshot({ path: path.resolve(__dirname, '../screenshots/run-report-700px.png'), fullPage: true });
    } finally {
      await browser.close();
    }

    // a run still holding its folder: the report goes elsewhere, and the CLI says how, without a stack trace
    fs.writeFileSync(path.join(out, 'LOCK'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString(), purpose: 'ssseg train' }) + '\n');
    const refused = spawnSync(process.execPath, [CLI, 'report', out], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/give the report another folder \(--out DIR\)/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const elsewhere = spawnSync(process.execPath, [CLI, 'report', out, '--out', path.join(dir, 'report')], { encoding: 'utf8' });
    expect(elsewhere.status).toBe(0);
    expect(fs.existsSync(path.join(dir, 'report', 'run-curves.png'))).toBe(true);
  }, 240_000);
});

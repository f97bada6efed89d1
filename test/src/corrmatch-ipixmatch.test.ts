import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI } from './testing/tiny-run';

const CONFIG = path.resolve(__dirname, '../../configs/mnist-seg/corrmatch-ipixmatch.yaml');

/** CorrMatch's own loss from its logged terms, with the official weights (corrmatch.py). */
function corrMatchLoss(t: Record<string, number>): number {
  const corr = (t['loss/strongCorr'] + t['loss/weakCorr']) / 2;
  return (0.5 * t['loss/sup'] + 0.5 * t['loss/supCorr'] + 0.25 * t['loss/strong'] + 0.25 * t['loss/kl'] + 0.25 * t['loss/fp'] + 0.25 * corr) / 2;
}

describe('corrmatch + ipixmatch from the shipped config', () => {
  it('trains through the CLI; every step logs loss/ipixmatch beside CorrMatch\'s terms, and the total is their sum', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-corrmatch-ipix-'));
    const out = path.join(dir, 'run');
    const small = [
      'data.size=64', 'data.valSize=4', 'data.canvas=32', `data.cacheDir=${path.join(dir, 'cache')}`, 'model.baseWidth=8', 'model.depth=2',
      'train.maxSteps=3', 'train.evalEverySteps=3', 'train.batchSize=2', 'regularizers[0].rampUp=0', 'eval.galleryImages=0',
    ].flatMap((s) => ['--set', s]);
    const result = spawnSync(process.execPath, [CLI, 'train', '--config', CONFIG, ...small, '--threads', '1', '--out', out], { encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(0);

    const steps = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.event === 'step');
    expect(steps).toHaveLength(3);
    for (const step of steps) {
      for (const key of ['loss/ipixmatch', 'loss/sup', 'loss/supCorr', 'loss/strong', 'loss/kl', 'loss/fp', 'loss/strongCorr', 'loss/weakCorr', 'corrmatch/threshold']) {
        expect({ key, finite: Number.isFinite(step[key]) }).toEqual({ key, finite: true });
      }
      expect(step.loss).toBeCloseTo(corrMatchLoss(step) + step['loss/ipixmatch'], 5);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

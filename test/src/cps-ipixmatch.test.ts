import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine, nativeUnavailableReason } from '@ssseg/engine';
import { readMetrics } from '@ssseg/core';
import { cliTesting } from '@ssseg/cli';

const { runCliProcess } = cliTesting;

// The shipped CPS + IPixMatch config, shrunk to a tiny run on one thread (its kill and resume is a
// row of kill-resume.test.ts).
const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-cps-'));
const data = { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') };

async function expectSuccess(args: string[]): Promise<void> {
  const r = await runCliProcess(args);
  if (r.code !== 0) throw new Error(`ssseg ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
}

jest.setTimeout(600_000);

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
afterAll(() => {
  cliTesting.killStartedProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('configs/mnist-seg/cps-ipixmatch.yaml', () => {
  it("trains with IPixMatch in both directions: loss/ipixmatch, and each direction's statistics, in metrics.jsonl", async () => {
    const shipped = path.resolve(__dirname, '../../configs/mnist-seg/cps-ipixmatch.yaml');
    const out = path.join(root, 'shipped');
    const sets = ['train.maxSteps=2', 'train.evalEverySteps=2', `data.cacheDir=${data.cacheDir}`, 'data.size=64', 'data.valSize=8', 'data.canvas=32', 'model.baseWidth=8', 'model.depth=2'];
    await expectSuccess(['--backend', backend, 'train', '--config', shipped, '--threads', '1', '--out', out, ...sets.flatMap((s) => ['--set', s])]);
    const steps = readMetrics(path.join(out, 'metrics.jsonl')).filter((r) => r.event === 'step');
    expect(steps).toHaveLength(2);
    for (const step of steps) {
      for (const key of ['loss/sup', 'loss/supSecond', 'loss/cps', 'loss/ipixmatch', 'ipixmatch/value', 'second/ipixmatch/value']) {
        expect({ key, value: Number.isFinite(step[key]) }).toEqual({ key, value: true });
      }
    }
  });
});

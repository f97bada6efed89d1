import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine, nativeUnavailableReason, tf } from '@ssseg/engine';
import { loadTensorFile, readMetrics } from '@ssseg/core';
import { cliTesting } from '@ssseg/cli';

const { killAt, runCliProcess, runOutcome } = cliTesting;

// CPS trains a second network beside the student: its weights, optimizer slots and batch-norm
// statistics must come back from a checkpoint as exactly as the student's. Tiny runs on one thread.
const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-cps-'));
const data = { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') };
const small = { model: { type: 'unet', baseWidth: 8, depth: 2 }, data, engine: { backend, threads: 1 } };

function writeConfig(name: string, config: Record<string, unknown>): string {
  const file = path.join(root, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

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

describe('cps + CutMix + ipixmatch (seeded pixel sampling) killed with SIGKILL at three points and resumed', () => {
  it('ends bit-identical to the run never interrupted: checkpoints (the second network too), DONE and every logged number', async () => {
    const train = { epochs: 10, maxSteps: 8, evalEverySteps: 4, checkpointEverySteps: 2, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } };
    const config = writeConfig('cps', {
      method: { type: 'cps', cutmix: true }, regularizers: [{ type: 'ipixmatch', maxPixels: 32 }], ...small, train,
    });
    const straight = path.join(root, 'straight');
    const killed = path.join(root, 'killed');
    await expectSuccess(['train', '--config', config, '--out', straight]);
    await killAt(['train', '--config', config, '--out', killed], 'after-step:3');
    await killAt(['train', '--resume', killed], 'after-eval:4');
    await killAt(['train', '--resume', killed], 'rename:last.ckpt*2');
    expect(fs.readdirSync(killed).filter((f) => f.endsWith('.tmp'))).toHaveLength(1); // the torn write
    await expectSuccess(['train', '--resume', killed]);
    expect(fs.readdirSync(killed).filter((f) => f.endsWith('.tmp') || f === 'LOCK')).toEqual([]);
    const { tensors } = loadTensorFile(path.join(killed, 'last.ckpt'));
    const names = [...tensors.keys()];
    tf.dispose([...tensors.values()]);
    expect(names.filter((n) => n.startsWith('part/second/')).length).toBe(names.filter((n) => n.startsWith('model/')).length);
    expect(names.some((n) => n.startsWith('optim/second/'))).toBe(true);
    expect(runOutcome(killed)).toEqual(runOutcome(straight));
  });
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

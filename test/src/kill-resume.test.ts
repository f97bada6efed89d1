import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine, nativeUnavailableReason, tf } from '@ssseg/engine';
import { loadTensorFile } from '@ssseg/core';
import { cliTesting } from '@ssseg/cli';

const { killAt, runCliProcess, runOutcome } = cliTesting;

// Tiny runs on one thread: 8 steps, evaluations every 4, checkpoints every 2 as well.
const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-kill-'));
const data = { type: 'mnist-seg', split: '1_16', size: 64, valSize: 8, canvas: 32, cacheDir: path.join(root, 'cache') };
const train = { epochs: 10, maxSteps: 8, evalEverySteps: 4, checkpointEverySteps: 2, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } };
const engine = { backend, threads: 1 };
const model = { type: 'unet', baseWidth: 8, depth: 2 };

function writeConfig(name: string, config: Record<string, unknown>): string {
  const file = path.join(root, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

async function expectSuccess(args: string[]): Promise<string> {
  const r = await runCliProcess(args);
  if (r.code !== 0) throw new Error(`ssseg ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stderr;
}

// each test starts several CLI processes: on a loaded 2-core machine that outlasts the default 120 s
jest.setTimeout(600_000);

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
afterAll(() => {
  cliTesting.killStartedProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

/**
 * Three kills with SIGKILL: mid-epoch (step 3, a step after the checkpoint at 2), right after the
 * evaluation at step 4 (before its checkpoint), and between writing the temporary file of the
 * checkpoint at step 6 and its rename; each time the run goes on with `ssseg train --resume`.
 */
describe.each<[string, Record<string, unknown>, string[]]>([
  ['fixmatch', { method: { type: 'fixmatch' } }, []],
  ['unimatch + ipixmatch (seeded pixel sampling)', { method: { type: 'unimatch' }, regularizers: [{ type: 'ipixmatch', maxPixels: 32 }] }, []],
  // a second network beside the student: its weights, optimizer slots and batch-norm statistics
  ['cps + CutMix + ipixmatch (seeded pixel sampling)', { method: { type: 'cps', cutmix: true }, regularizers: [{ type: 'ipixmatch', maxPixels: 32 }] }, ['part/second/', 'optim/second/']],
  // its correlation head is trained beside the student, its dynamic threshold is run state
  ['corrmatch', { method: { type: 'corrmatch', thresholdInit: 0.3 } }, ['part/correlation/', 'method/threshold']],
  // banks large enough to keep keys over steps
  ['u2pl (representation head, memory banks, seeded sampling)', { method: { type: 'u2pl', headChannels: 8, embeddingDim: 8, numQueries: 16, numNegatives: 8, queueSize: 5000, backgroundQueueSize: 8000 } }, ['part/head/', 'method/']],
])('%s killed with SIGKILL at three points and resumed', (name, method, heldBeyondTheStudent) => {
  it('ends bit-identical to the run never interrupted: checkpoints, DONE and every logged number', async () => {
    const slug = name.replace(/\W+/g, '-');
    const config = writeConfig(slug, { ...method, model, data, train, engine });
    const straight = path.join(root, `${slug}-straight`);
    const killed = path.join(root, `${slug}-killed`);
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
    for (const prefix of heldBeyondTheStudent) expect({ prefix, held: names.some((n) => n.startsWith(prefix)) }).toEqual({ prefix, held: true });
    expect(runOutcome(killed)).toEqual(runOutcome(straight));
  });
});

describe('ssseg compare killed with SIGKILL at three points and run again', () => {
  it('continues the matrix to the results of an uninterrupted one, bit for bit', async () => {
    const compare = writeConfig('compare', {
      name: 'kill test',
      base: { model, data, train, engine },
      methods: [{ type: 'mean-teacher' }],
      variants: { none: [] },
      splits: ['1_16'],
      seeds: [1],
    });
    const straight = path.join(root, 'compare-straight');
    const killed = path.join(root, 'compare-killed');
    await expectSuccess(['compare', '--config', compare, '--out', straight]);
    const again = ['compare', '--config', compare, '--out', killed];
    await killAt(again, 'after-step:3');
    await killAt(again, 'after-eval:4');
    await killAt(again, 'rename:best.ckpt');
    await expectSuccess(again);
    const [run] = fs.readdirSync(straight, { recursive: true }).filter((f) => String(f).endsWith('DONE')).map((f) => path.dirname(String(f)));
    expect(runOutcome(path.join(killed, run))).toEqual(runOutcome(path.join(straight, run)));
    expect(fs.existsSync(path.join(killed, 'LOCK'))).toBe(false);
  });
});

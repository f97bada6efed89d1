import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine, nativeUnavailableReason, tf } from '@ssseg/engine';
import { loadTensorFile, readMetrics } from '@ssseg/core';
import { cliTesting } from '@ssseg/cli';

const { runCliProcess, startCli } = cliTesting;

const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-safety-'));
const base = {
  method: { type: 'supervised' },
  model: { type: 'unet', baseWidth: 4, depth: 1 },
  data: { type: 'mnist-seg', split: 'full', size: 16, valSize: 4, canvas: 28, cacheDir: path.join(root, 'cache') },
  train: { epochs: 100, maxSteps: 6, evalEverySteps: 3, checkpointEverySteps: 2, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } },
  engine: { backend, threads: 1 },
};

function config(name: string, patch: Record<string, unknown> = {}, train: Record<string, unknown> = {}): string {
  const file = path.join(root, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify({ ...base, ...patch, train: { ...base.train, ...train } }));
  return file;
}

/** Every file below a folder (the prediction gallery's too) with its bytes, to show that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => [path.relative(dir, f), fs.readFileSync(f).toString('base64')]));
}

async function waitForStep(dir: string, step: number): Promise<void> {
  const file = path.join(dir, 'metrics.jsonl');
  for (const t = Date.now(); Date.now() - t < 120_000; await new Promise((r) => setTimeout(r, 50))) {
    if (fs.existsSync(file) && readMetrics(file, () => undefined).some((r) => r.event === 'step' && r.step >= step)) return;
  }
  throw new Error(`no step ${step} logged in ${file}`);
}

function checkpointStep(file: string): number {
  const { tensors, meta } = loadTensorFile(file);
  tf.dispose([...tensors.values()]);
  return (meta.position as { step: number }).step;
}

// each test starts several CLI processes: on a loaded 2-core machine that outlasts the default 120 s
jest.setTimeout(300_000);

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
afterAll(() => {
  cliTesting.killStartedProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a run folder is never lost or written twice', () => {
  it('train --out on a folder holding a run refuses, naming --resume and --force; --force starts over', async () => {
    const file = config('refuse');
    const out = path.join(root, 'refuse');
    expect((await runCliProcess(['train', '--config', file, '--out', out])).code).toBe(0);
    const before = snapshot(out);
    const again = await runCliProcess(['train', '--config', file, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a finished run .*--resume .*--force/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshot(out)).toEqual(before);
    const forced = await runCliProcess(['train', '--config', file, '--out', out, '--force']);
    expect(forced.code).toBe(0);
    expect(readMetrics(path.join(out, 'metrics.jsonl')).filter((r) => r.event === 'step')).toHaveLength(6);
  });

  it('--resume without a checkpoint, or with a corrupt one, says so and changes nothing', async () => {
    const out = path.join(root, 'no-checkpoint');
    fs.mkdirSync(out);
    fs.copyFileSync(config('no-checkpoint'), path.join(out, 'config.yaml'));
    fs.writeFileSync(path.join(out, 'metrics.jsonl'), '{"event":"step","step":1,"epoch":0,"time":0,"loss":1}\n');
    let before = snapshot(out);
    const missing = await runCliProcess(['train', '--resume', out]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no checkpoint \(last\.ckpt\) to resume from, so nothing was changed/);
    expect(snapshot(out)).toEqual(before);

    fs.writeFileSync(path.join(out, 'last.ckpt'), 'SSSEGT1\n\x10\x00');
    before = snapshot(out);
    const corrupt = await runCliProcess(['train', '--resume', out]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toContain(path.join(out, 'last.ckpt'));
    expect(corrupt.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(out)).toEqual(before);
  });

  it('a second writer fails at once naming the holder; a dead holder\'s lock is taken over with a message', async () => {
    const file = config('lock', {}, { maxSteps: 8 });
    const out = path.join(root, 'lock');
    const holder = startCli(['train', '--config', file, '--out', out], { pauseAt: 'after-step:3' });
    await holder.paused;
    const lock = JSON.parse(fs.readFileSync(path.join(out, 'LOCK'), 'utf8'));
    expect(lock).toMatchObject({ pid: holder.pid, host: os.hostname(), purpose: 'ssseg train' });
    for (const args of [['--resume', out], ['--config', file, '--out', out, '--force']]) {
      const second = await runCliProcess(['train', ...args]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`is in use by ssseg train (pid ${holder.pid} on ${os.hostname()}, since ${lock.started})`);
    }
    const compareFile = path.join(root, 'lock-compare.yaml');
    fs.writeFileSync(compareFile, YAML.stringify({ name: 'lock', base, methods: [{ type: 'supervised' }], splits: ['full'], seeds: [1] }));
    const compareDir = path.join(root, 'lock-compare');
    const compare = startCli(['compare', '--config', compareFile, '--out', compareDir], { pauseAt: 'after-step:1' });
    await compare.paused;
    const secondCompare = await runCliProcess(['compare', '--config', compareFile, '--out', compareDir]);
    expect(secondCompare.code).toBe(1);
    expect(secondCompare.stderr).toContain(`is in use by ssseg compare (pid ${compare.pid}`);
    compare.kill('SIGKILL');
    holder.kill('SIGKILL');
    await Promise.all([compare.exited, holder.exited]);
    const resumed = await runCliProcess(['train', '--resume', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`taking over the lock of ssseg train (pid ${holder.pid} on ${os.hostname()}, since ${lock.started}), which is no longer running`);
    expect(fs.existsSync(path.join(out, 'LOCK'))).toBe(false);
  });

  it.each([['SIGINT', 130], ['SIGTERM', 143]] as const)('%s finishes the step, writes the checkpoint, exits %i and says how to resume', async (signal, code) => {
    const out = path.join(root, `signal-${signal}`);
    const cli = startCli(['train', '--config', config(`signal-${signal}`, {}, { maxSteps: 400, evalEverySteps: 200, checkpointEverySteps: 200 }), '--out', out]);
    await waitForStep(out, 2);
    cli.kill(signal);
    const ended = await cli.exited;
    expect(ended.code).toBe(code);
    expect(ended.stderr).toContain(`continue with 'ssseg train --resume ${out}'`);
    const logged = readMetrics(path.join(out, 'metrics.jsonl')).filter((r) => r.event === 'step');
    expect(checkpointStep(path.join(out, 'last.ckpt'))).toBe(logged[logged.length - 1].step);
    expect(fs.existsSync(path.join(out, 'DONE'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'LOCK'))).toBe(false);
  });

  it('a torn last line of metrics.jsonl is dropped with a warning by --resume and by report alike', async () => {
    const compareFile = path.join(root, 'torn.yaml');
    fs.writeFileSync(compareFile, YAML.stringify({ name: 'torn', base, methods: [{ type: 'supervised' }], splits: ['full'], seeds: [1] }));
    const dir = path.join(root, 'torn');
    const stopped = startCli(['compare', '--config', compareFile, '--out', dir], { pauseAt: 'after-step:5' });
    await stopped.paused;
    stopped.kill('SIGKILL');
    await stopped.exited;
    const [runDir] = fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('last.ckpt')).map((f) => path.join(dir, path.dirname(String(f))));
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), '{"event":"step","step":6,"ep');
    const resumed = await runCliProcess(['train', '--resume', runDir]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/warning: .*metrics\.jsonl:\d+: dropped a torn last line/);
    expect(readMetrics(path.join(runDir, 'metrics.jsonl')).filter((r) => r.event === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), '{"event":"ste');
    const report = await runCliProcess(['report', dir]);
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(/warning: .*metrics\.jsonl:\d+: dropped a torn last line/);
  });
});

describe('a diverging run', () => {
  it('SGD at lr 1e6 fails naming the last good checkpoint, which exists and is finite; no DONE', async () => {
    const out = path.join(root, 'sgd-1e6');
    const r = await runCliProcess(['train', '--config', config('sgd-1e6', {}, { lr: 1e6, optimizer: { type: 'sgd', momentum: 0.9 } }), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(out, 'DONE'))).toBe(false);
    const named = /the last good checkpoint is (\S+)/.exec(r.stderr)?.[1] ?? null;
    if (named) {
      const { tensors } = loadTensorFile(named);
      const values = [...tensors.values()].filter((t) => t.dtype === 'float32').flatMap((t) => Array.from(t.dataSync()));
      tf.dispose([...tensors.values()]);
      expect(values.every(Number.isFinite)).toBe(true);
    } else {
      expect(r.stderr).toMatch(/no checkpoint was written/);
      expect(fs.existsSync(path.join(out, 'last.ckpt'))).toBe(false);
    }
    expect(r.stderr).toMatch(/non-finite loss|diverged by step \d+: \S+ holds (-?Infinity|NaN)/);
  });

  it('entropy-min at weight 1e38 (non-finite before the first checkpoint) says that no checkpoint was written', async () => {
    const out = path.join(root, 'entropy-1e38');
    const file = config('entropy-1e38', { method: { type: 'fixmatch' }, regularizers: [{ type: 'entropy-min', weight: 1e38 }], data: { ...base.data, split: '1_4' } });
    const r = await runCliProcess(['train', '--config', file, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/(non-finite loss|diverged) .*; no checkpoint was written/);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.ckpt') || f === 'DONE')).toEqual([]);
  });
});

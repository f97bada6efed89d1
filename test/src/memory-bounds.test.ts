import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { measuredCommand } from './testing/measured-command';

const repoRoot = path.resolve(__dirname, '..', '..');
const bin = path.join(repoRoot, 'packages/cli/dist/bin.js');
const GB = 2 ** 30;
/** A refused run builds a throwaway copy of the model and takes four probe steps of one or two images: well under this. */
const REFUSAL_PEAK_RSS = 1.5 * GB;
/** The estimate of a step's memory against the measured peak of a real run of it, either way. */
const ESTIMATE_FACTOR = 2;

/** A user's mistake or environment is answered with its message alone: no stack trace. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);
}

describe('bounds on memory, a full disk and a split too small, through the ssseg command', () => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-bounds-')));
  const cacheDir = path.join(dir, 'cache');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = (extra: NodeJS.ProcessEnv = {}) => ({ ...process.env, SSSEG_NATIVE_THREADS: '1', SSSEG_SKIP_MEMORY_CHECK: '', ...extra });
  const writeConfig = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };
  const ssseg = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const run = spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: env(extraEnv) });
    return { code: run.status, out: run.stdout, err: run.stderr };
  };
  const unet = (method: string, batchSize: number, extra = '') => [
    `method: { type: ${method} }`,
    'model: { type: unet, baseWidth: 16, depth: 3 }',
    `data: { type: mnist-seg, split: 1_16, size: 256, valSize: 16, cacheDir: ${JSON.stringify(cacheDir)} }`,
    `train: { epochs: 100, maxSteps: 2, evalEverySteps: 100, batchSize: ${batchSize}, lr: 0.003, optimizer: { type: adam, weightDecay: 0 }${extra} }`,
  ];

  it('refuses a batch of 100000 on a small U-Net within seconds, naming train.batchSize, the estimate and the memory available, under a bounded peak RSS', async () => {
    const file = writeConfig('huge-batch.yaml', unet('supervised', 8));
    const out = path.join(dir, 'huge-batch');
    const run = await measuredCommand([process.execPath, bin, 'train', '--config', file, '--out', out, '--set', 'train.batchSize=100000'], {
      cwd: repoRoot, env: env(), killAboveBytes: 3 * GB, timeoutMs: 120_000,
    });
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(new RegExp(`ssseg: ${file} \\(with --set train\\.batchSize=100000\\): training needs about [\\d.]+ GB \\(estimated; 100000 images a step at 64x64: `));
    expect(run.err).toMatch(/but the machine has [\d.]+ GB available: lower train\.batchSize, data\.cropSize or the model's size \(model\.\*\); SSSEG_SKIP_MEMORY_CHECK=1 skips this check/);
    expectNoStack(run.err);
    expect(run.peakRssBytes).toBeLessThan(REFUSAL_PEAK_RSS);
    expect(run.seconds).toBeLessThan(60);
    // refused before anything of the run was written
    expect(fs.existsSync(path.join(out, 'config.yaml'))).toBe(false);
  }, 150_000);

  it(`estimates a step within a factor ${ESTIMATE_FACTOR} of the memory a real run of it takes, and lets a normal config train`, () => {
    const script = path.join(__dirname, 'testing/run-memory.js');
    for (const [name, method, batch] of [['supervised-32', 'supervised', 32], ['unimatch-8', 'unimatch', 8]] as const) {
      const file = writeConfig(`${name}.yaml`, unet(method, batch));
      const child = (mode: string, extra: NodeJS.ProcessEnv = {}) => {
        const run = spawnSync(process.execPath, [script, mode, file, path.join(dir, name)], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: env(extra) });
        expect(run.stderr).toBe('');
        return JSON.parse(run.stdout) as { bytes: number };
      };
      const estimate = child('estimate').bytes;
      const measured = child('train', { SSSEG_SKIP_MEMORY_CHECK: '1' }).bytes;
      expect(estimate / measured).toBeGreaterThan(1 / ESTIMATE_FACTOR);
      expect(estimate / measured).toBeLessThan(ESTIMATE_FACTOR);
      // the command itself checks and trains it
      const trained = ssseg(['train', '--config', file, '--out', path.join(dir, `${name}-cli`)]);
      expect(trained.err).not.toContain('training needs about');
      expect(trained.code).toBe(0);
    }
  }, 300_000);

  it('names the file and the last good checkpoint when the disk fills up, exits 1 with no stack trace and leaves the checkpoint whole', () => {
    const file = writeConfig('disk-full.yaml', unet('supervised', 4, ', checkpointEverySteps: 2').map((l) => l.replace('maxSteps: 2', 'maxSteps: 6')));
    const out = path.join(dir, 'disk-full');
    // the first last.ckpt (step 2) is written, the second (step 4) meets a full disk
    const run = ssseg(['train', '--config', file, '--out', out], {
      NODE_OPTIONS: `--require ${path.join(__dirname, 'testing/enospc-preload.js')}`, SSSEG_TEST_ENOSPC_FILE: 'last.ckpt', SSSEG_TEST_ENOSPC_AFTER: '1',
    });
    const last = path.join(out, 'last.ckpt');
    expect(run.err.split('\n').filter((l) => l.startsWith('ssseg:'))).toEqual([
      `ssseg: ${last}: no space left on the device (ENOSPC) while writing this file; the last good checkpoint is ${last} (step 2), which resuming the run continues from once there is space`,
    ]);
    expect(run.code).toBe(1);
    expectNoStack(run.err);
    expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // the step-2 checkpoint is whole: the run resumes from it and finishes
    const resumed = ssseg(['train', '--resume', out]);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/^done: 6 steps/m);
  }, 300_000);

  it('refuses a split that gives fewer than one labelled image, naming data.split and the counts; warns when it gives very few', () => {
    const file = writeConfig('split.yaml', unet('supervised', 2).map((l) => l.replace('size: 256', 'size: 128')));
    const refused = ssseg(['train', '--config', file, '--out', path.join(dir, 'split-refused'), '--set', 'data.split=1_100000']);
    expect(refused.err).toContain('data.split: split 1_100000 of 128 images gives 0.00128 labelled images, fewer than one');
    expect(refused.code).toBe(1);
    expectNoStack(refused.err);
    const few = ssseg(['train', '--config', file, '--out', path.join(dir, 'split-few'), '--set', 'data.split=1_64']);
    expect(few.code).toBe(0);
    // said once, though the memory check builds the dataset before the run does
    expect(few.err.match(/warning: data\.split: split 1_64 of 128 images gives only 2 labelled images/g)).toHaveLength(1);
  }, 300_000);
});

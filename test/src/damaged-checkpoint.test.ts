import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { encode } from 'fast-png';
import { nativeUnavailableReason } from '@ssseg/engine';
import { cliTesting } from '@ssseg/cli';

const { killAt, runCliProcess } = cliTesting;

const backend = nativeUnavailableReason() === undefined ? 'native' : 'wasm';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-damaged-'));
const config = {
  method: { type: 'supervised' },
  model: { type: 'unet', baseWidth: 4, depth: 1 },
  data: { type: 'mnist-seg', split: 'full', size: 16, valSize: 4, canvas: 28, cacheDir: path.join(root, 'cache') },
  train: { epochs: 100, maxSteps: 8, evalEverySteps: 3, checkpointEverySteps: 2, batchSize: 2, lr: 0.003, optimizer: { type: 'adam', weightDecay: 0 } },
  engine: { backend, threads: 1 },
};

/** Every file of a folder with its bytes, to show that a refused command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((f) => [path.relative(dir, f), fs.readFileSync(f).toString('base64')]));
}

/**
 * XORs ten consecutive floats of a checkpoint's first weight in place: `byte` picks which byte of
 * each float (0: the low mantissa, a change of about 1e-7 relative; 3: sign and exponent, values
 * of 1e30 and more that make a resumed run diverge).
 */
function damageTenFloats(file: string, byte: 0 | 3): void {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as { tensors: { name: string; dtype: string; offset: number; byteLength: number }[] };
  const weight = header.tensors.find((t) => t.dtype === 'float32' && t.byteLength >= 40 && t.name.startsWith('model/'))!;
  for (let i = 0; i < 10; i++) bytes[12 + headerLength + weight.offset + 4 * i + byte] ^= byte === 3 ? 0x3f : 0xa5;
  fs.writeFileSync(file, bytes);
}

/** A stopped run (killed after step 5): best.ckpt at the step-3 evaluation, last.ckpt at step 4. */
async function stoppedRun(name: string): Promise<string> {
  const out = path.join(root, name);
  const file = path.join(root, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(config));
  await killAt(['train', '--config', file, '--out', out], 'after-step:5');
  // as a run stopped cleanly leaves it: the next command's only message is about the checkpoint
  fs.rmSync(path.join(out, 'LOCK'));
  return out;
}

const noStack = /\n\s+at /;

/** What a refused command said besides its progress lines ('[ssseg] backend: ...'). */
const said = (stderr: string) => stderr.split('\n').filter((line) => line && !line.startsWith('[ssseg]')).join('\n');

// every test starts several CLI processes: on a loaded 2-core machine that outlasts the default
jest.setTimeout(300_000);

afterAll(() => {
  cliTesting.killStartedProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('a damaged checkpoint is refused by every command that loads it, naming it', () => {
  it('train --resume refuses last.ckpt with ten floats XOR-ed, says best.ckpt verifies, changes nothing; following the advice resumes', async () => {
    const out = await stoppedRun('resume');
    const last = path.join(out, 'last.ckpt'), best = path.join(out, 'best.ckpt');
    damageTenFloats(last, 0);
    const before = snapshot(out);
    const refused = await runCliProcess(['train', '--resume', out]);
    expect(refused.code).toBe(1);
    expect(said(refused.stderr)).toBe(`ssseg: checkpoint ${last} is damaged (checksum mismatch); ${best} verifies (step 3): copy it over ${last} to resume from it`);
    expect(snapshot(out)).toEqual(before);

    fs.copyFileSync(best, last);
    const resumed = await runCliProcess(['train', '--resume', out]);
    expect(resumed.stderr).not.toMatch(noStack);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'DONE'), 'utf8')).steps).toBe(8);
  });

  it('train --resume refuses damage large enough to diverge as damage, not as divergence, and says when no other checkpoint verifies', async () => {
    const out = await stoppedRun('diverge');
    const last = path.join(out, 'last.ckpt'), best = path.join(out, 'best.ckpt');
    damageTenFloats(last, 3);
    damageTenFloats(best, 0);
    const refused = await runCliProcess(['train', '--resume', out]);
    expect(refused.code).toBe(1);
    expect(said(refused.stderr)).toBe(`ssseg: checkpoint ${last} is damaged (checksum mismatch); no other checkpoint in ${out} verifies`);
    expect(refused.stderr).not.toMatch(/last good checkpoint|diverged/);
    expect(fs.existsSync(path.join(out, 'DONE'))).toBe(false);
  });

  it('eval, predict and export refuse it too, naming the checkpoint that verifies', async () => {
    const out = await stoppedRun('use');
    const last = path.join(out, 'last.ckpt'), best = path.join(out, 'best.ckpt');
    const runConfig = path.join(out, 'config.yaml');
    damageTenFloats(last, 0);
    const images = path.join(root, 'images');
    fs.mkdirSync(images);
    fs.writeFileSync(path.join(images, 'a.png'), encode({ width: 16, height: 16, channels: 3, data: new Uint8Array(16 * 16 * 3).fill(128) }));
    const expected = `ssseg: checkpoint ${last} is damaged (checksum mismatch); ${best} verifies (step 3): give --checkpoint ${best} instead`;
    const commands = [
      ['eval', '--config', runConfig, '--checkpoint', last],
      ['predict', '--config', runConfig, '--checkpoint', last, '--input', images, '--out', path.join(root, 'masks')],
      ['export', '--config', runConfig, '--checkpoint', last, '--size', '16x16', '--out', path.join(root, 'model.onnx')],
    ];
    for (const args of commands) {
      const refused = await runCliProcess(args);
      expect({ command: args[0], code: refused.code, said: said(refused.stderr) }).toEqual({ command: args[0], code: 1, said: expected });
    }
    expect(fs.existsSync(path.join(root, 'masks'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'model.onnx'))).toBe(false);
    // the checkpoint the message names is the one to use
    expect((await runCliProcess(['eval', '--config', runConfig, '--checkpoint', best])).code).toBe(0);
  });
});

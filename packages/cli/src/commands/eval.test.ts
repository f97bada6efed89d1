import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initEngine, tf } from '@ssseg/engine';
import { Rng, evaluate, optionsFor } from '@ssseg/core';
import { saveCheckpoint } from '@ssseg/runner';
import { MnistSegDataset, sampleToInput } from '@ssseg/datasets';
import { UNet } from '@ssseg/models';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-eval-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const data = { type: 'mnist-seg', size: 16, valSize: 4, split: 'full', cacheDir: path.join(dir, 'cache') };
const position = { step: 0, epoch: 0, rng: Rng.fromSeed(1).state(), loader: null, bestMiou: null };
const unet = (seed: number) => new UNet(optionsFor(UNet, { numClasses: 11, baseWidth: 4, depth: 1, seed }));

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

async function reference(model: UNet): Promise<number> {
  const { type: _type, ...options } = data;
  const ds = new MnistSegDataset(optionsFor(MnistSegDataset, options));
  const result = await evaluate(model, ds.validation(), { numClasses: 11, mode: 'full', toInput: (s) => sampleToInput(s) });
  return result.miou;
}

describe('ssseg eval', () => {
  it("reports core evaluate's mIoU of the student weights", async () => {
    const config = path.join(dir, 'supervised.yaml');
    fs.writeFileSync(config, `method: { type: supervised }\nmodel: { type: unet, baseWidth: 4, depth: 1 }\ndata: ${JSON.stringify(data)}\n`);
    const student = unet(11);
    const checkpoint = path.join(dir, 'student.ckpt');
    saveCheckpoint(checkpoint, { model: student }, position);
    const before = tf.memory().numTensors;
    const { code, out, err } = await runCli(['eval', '--config', config, '--checkpoint', checkpoint, '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const printed = JSON.parse(out);
    expect(printed.images).toBe(4);
    expect(printed.iou).toHaveLength(11);
    expect(printed.miou).toBeCloseTo(await reference(student), 10);
    const table = await runCli(['eval', '--config', config, '--checkpoint', checkpoint]);
    expect(table.out).toMatch(new RegExp(`mIoU\\s+${(printed.miou * 100).toFixed(2)}`));
    student.dispose();
  });

  it("evaluates a mean-teacher checkpoint's teacher weights", async () => {
    const config = path.join(dir, 'mean-teacher.yaml');
    fs.writeFileSync(config, `method: { type: mean-teacher }\nmodel: { type: unet, baseWidth: 4, depth: 1 }\ndata: ${JSON.stringify(data)}\n`);
    const student = unet(21), teacher = unet(22);
    const checkpoint = path.join(dir, 'teacher.ckpt');
    saveCheckpoint(checkpoint, { model: student, teacher }, position);
    const { code, out } = await runCli(['eval', '--config', config, '--checkpoint', checkpoint, '--json']);
    expect(code).toBe(0);
    const expected = await reference(teacher);
    expect(expected).not.toBeCloseTo(await reference(student), 6);
    expect(JSON.parse(out).miou).toBeCloseTo(expected, 10);
    student.dispose();
    teacher.dispose();
  });

  it('names the flag or file of bad input', async () => {
    const config = path.join(dir, 'supervised.yaml');
    const mode = await runCli(['eval', '--config', config, '--checkpoint', 'x', '--mode', 'tiles']);
    expect(mode.code).toBe(1);
    expect(mode.err).toMatch(/--mode expects full or sliding, got 'tiles'/);
    const missing = path.join(dir, 'missing.ckpt');
    const none = await runCli(['eval', '--config', config, '--checkpoint', missing]);
    expect(none.code).toBe(1);
    expect(none.err).toContain(`${missing}: cannot read checkpoint: ENOENT`);
  });
});

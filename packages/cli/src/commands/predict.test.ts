import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { decode } from 'fast-png';
import { initEngine, tf } from '@ssseg/engine';
import { Rng, predictLogits, optionsFor, vocPalette } from '@ssseg/core';
import { saveCheckpoint } from '@ssseg/runner';
import { readImage, sampleToInput } from '@ssseg/datasets';
import { OnnxPredictor, UNet } from '@ssseg/models';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-predict-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const config = path.join(dir, 'run.yaml');
const checkpoint = path.join(dir, 'last.ckpt');
const images = path.join(dir, 'images');
const position = { step: 0, epoch: 0, rng: Rng.fromSeed(1).state(), loader: null, bestMiou: null };

beforeAll(async () => {
  await initEngine({ backend: 'cpu', verbose: false });
  fs.writeFileSync(config, 'model: { type: unet, baseWidth: 4, depth: 2 }\ndata: { type: pascal-voc, root: /nowhere }\n');
  const model = new UNet(optionsFor(UNet, { numClasses: 5, baseWidth: 4, depth: 2, seed: 7 }));
  saveCheckpoint(checkpoint, { model }, position);
  model.dispose();
  fs.mkdirSync(images);
  const rng = Rng.fromSeed(3);
  const noise = (h: number, w: number) => Buffer.from(Array.from({ length: h * w * 3 }, () => Math.floor(rng.uniform(0, 256))));
  await sharp(noise(12, 20), { raw: { width: 20, height: 12, channels: 3 } }).png().toFile(path.join(images, 'a.png'));
  await sharp(noise(16, 16), { raw: { width: 16, height: 16, channels: 3 } }).jpeg().toFile(path.join(images, 'b.jpg'));
  fs.writeFileSync(path.join(images, 'notes.txt'), 'not an image');
});

/** The masks a model with the checkpoint's weights predicts, computed in the test. */
async function referenceMask(file: string): Promise<Int32Array> {
  const model = new UNet(optionsFor(UNet, { numClasses: 5, baseWidth: 4, depth: 2, seed: 7 }));
  const d = await readImage(file);
  const labels = tf.tidy(() => predictLogits(model, sampleToInput({ id: 'x', height: d.height, width: d.width, image: d.image }), { mode: 'full' }).argMax(-1).dataSync());
  model.dispose();
  return Int32Array.from(labels);
}

describe('ssseg predict', () => {
  it('tfjs and onnx engines write the same palette masks, equal to the model prediction', async () => {
    const before = tf.memory().numTensors;
    const tfjs = await runCli(['predict', '--config', config, '--classes', '5', '--checkpoint', checkpoint, '--input', images, '--out', path.join(dir, 'tfjs')]);
    expect(tfjs.err).toBe('');
    expect(tfjs.code).toBe(0);
    const onnx = await runCli(['predict', '--config', config, '--classes', '5', '--checkpoint', checkpoint, '--input', images, '--out', path.join(dir, 'onnx'), '--engine', 'onnx']);
    expect(onnx.code).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(fs.readdirSync(path.join(dir, 'tfjs')).sort()).toEqual(['a.png', 'b.png']);
    for (const [name, source, h, w] of [['a.png', 'a.png', 12, 20], ['b.png', 'b.jpg', 16, 16]] as const) {
      const a = decode(fs.readFileSync(path.join(dir, 'tfjs', name)));
      const b = decode(fs.readFileSync(path.join(dir, 'onnx', name)));
      expect([a.height, a.width, a.channels, a.depth]).toEqual([h, w, 1, 8]);
      expect(a.palette?.[1]).toEqual(vocPalette()[1]);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      const expected = await referenceMask(path.join(images, source));
      expect(Array.from(a.data)).toEqual(Array.from(expected));
      expect(new Set(a.data).size).toBeGreaterThan(1);
    }
  });

  it('names the flag or file of bad input', async () => {
    const badEngine = await runCli(['predict', '--config', config, '--classes', '5', '--checkpoint', checkpoint, '--input', images, '--out', dir, '--engine', 'trt']);
    expect(badEngine.code).toBe(1);
    expect(badEngine.err).toMatch(/--engine expects tfjs or onnx, got 'trt'/);
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const none = await runCli(['predict', '--config', config, '--classes', '5', '--checkpoint', checkpoint, '--input', empty, '--out', dir]);
    expect(none.code).toBe(1);
    expect(none.err).toContain(`${empty}: --input: no .png or .jpg images`);
    const wrong = await runCli(['predict', '--config', config, '--classes', '3', '--checkpoint', checkpoint, '--input', images, '--out', dir]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`${checkpoint}: the checkpoint does not fit the config's model`);
  });
});

describe('ssseg export', () => {
  it("writes the checkpoint's weights as ONNX at the given size and batch", async () => {
    const out = path.join(dir, 'model.onnx');
    // the graph takes the training input here (the default, RGB 0-255 normalised inside, is export.test.ts's)
    const { code, err } = await runCli(['export', '--config', config, '--classes', '5', '--checkpoint', checkpoint, '--out', out, '--size', '16x12', '--batch', '2', '--input', 'normalised']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const predictor = await OnnxPredictor.create(out);
    expect(predictor.inputShape).toEqual([2, 16, 12, 3]);
    const model = new UNet(optionsFor(UNet, { numClasses: 5, baseWidth: 4, depth: 2, seed: 7 }));
    const x = tf.randomUniform([2, 16, 12, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
    const { data } = await predictor.logits(x);
    const expected = tf.tidy(() => model.forward(x, { training: false }).logits.dataSync());
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - data[i]));
    expect(worst).toBeLessThan(1e-4);
    await predictor.release();
    tf.dispose([x]);
    model.dispose();
    const bad = await runCli(['export', '--config', config, '--classes', '5', '--checkpoint', checkpoint, '--out', out, '--size', '16by12']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--size expects HxW/);
  });
});

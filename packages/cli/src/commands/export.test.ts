import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { decode } from 'fast-png';
import { onnx } from 'onnx-proto';
import { initEngine, tf } from '@ssseg/engine';
import { Rng, optionsFor } from '@ssseg/core';
import { saveCheckpoint } from '@ssseg/runner';
import { OnnxPredictor, UNet } from '@ssseg/models';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-export-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
// pascal-voc at a root that does not exist: export must not need the data (--classes)
const config = path.join(dir, 'run.yaml');
const checkpoint = path.join(dir, 'last.ckpt');
const images = path.join(dir, 'images');
const H = 24, W = 32;

beforeAll(async () => {
  await initEngine({ backend: 'cpu', verbose: false });
  fs.writeFileSync(config, 'model: { type: unet, baseWidth: 4, depth: 2 }\ndata: { type: pascal-voc, root: /nowhere }\n');
  const model = new UNet(optionsFor(UNet, { numClasses: 4, baseWidth: 4, depth: 2, seed: 11 }));
  saveCheckpoint(checkpoint, { model }, { step: 0, epoch: 0, rng: Rng.fromSeed(1).state(), loader: null, bestMiou: null });
  model.dispose();
  fs.mkdirSync(images);
  const rng = Rng.fromSeed(5);
  const pixels = Buffer.from(Array.from({ length: H * W * 3 }, () => Math.floor(rng.uniform(0, 256))));
  await sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).png().toFile(path.join(images, 'x.png'));
});

function metadata(file: string): Record<string, string> {
  const model = onnx.ModelProto.decode(fs.readFileSync(file));
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

describe('ssseg export', () => {
  it('refuses to export untrained weights unless asked', async () => {
    const refused = await runCli(['export', '--config', config, '--classes', '4', '--out', path.join(dir, 'r.onnx')]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/export needs --checkpoint <file> .*--random-weights/);
    expect(fs.existsSync(path.join(dir, 'r.onnx'))).toBe(false);
    const asked = await runCli(['export', '--config', config, '--classes', '4', '--random-weights', '--size', '8x8', '--out', path.join(dir, 'r.onnx')]);
    expect(asked.code).toBe(0);
    expect(asked.out).toMatch(/random weights/);
  });

  it('a model fed raw RGB (0-255) in onnxruntime agrees with ssseg predict on every pixel; its metadata says so', async () => {
    const before = tf.memory().numTensors;
    const model = path.join(dir, 'm.onnx');
    const exported = await runCli(['export', '--config', config, '--classes', '4', '--checkpoint', checkpoint, '--size', `${H}x${W}`, '--out', model]);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(/RGB in \[0, 255\]; the graph normalises/);
    expect(metadata(model).input_format).toMatch(/^float32 NHWC RGB in \[0, 255\]; the graph normalises with mean 0.485,0.456,0.406 and std 0.229,0.224,0.225/);

    const predicted = await runCli(['predict', '--config', config, '--classes', '4', '--checkpoint', checkpoint, '--input', images, '--out', path.join(dir, 'masks')]);
    expect(predicted.code).toBe(0);
    const mask = decode(fs.readFileSync(path.join(dir, 'masks', 'x.png')));

    const raw = await sharp(path.join(images, 'x.png')).removeAlpha().raw().toBuffer();
    const session = await OnnxPredictor.create(model);
    try {
      // U-Net logits come at the input resolution, so the argmax needs no resize here
      const { labels, shape } = await session.predict(Float32Array.from(raw));
      expect(shape).toEqual([1, H, W]);
      expect(Array.from(labels)).toEqual(Array.from(mask.data));
    } finally {
      await session.release();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('--input normalised keeps the training input, and a bad --input is named', async () => {
    const model = path.join(dir, 'n.onnx');
    expect((await runCli(['export', '--config', config, '--classes', '4', '--checkpoint', checkpoint, '--size', '8x8', '--input', 'normalised', '--out', model])).code).toBe(0);
    expect(metadata(model).input_format).toMatch(/already normalised/);
    const bad = await runCli(['export', '--config', config, '--classes', '4', '--checkpoint', checkpoint, '--input', 'bgr', '--out', model]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--input expects rgb255, rgb1, normalised, got 'bgr'/);
  });
});

describe('commands that need only the model run without the data on disk', () => {
  it('config print, model summary and export of a Pascal VOC config whose data root does not exist', async () => {
    const printed = await runCli(['config', 'print', config]);
    expect(printed.err).toBe('');
    expect(printed.out).toMatch(/numClasses: 21/);
    const summary = await runCli(['model', 'summary', '--config', config]);
    expect(summary.code).toBe(0);
    const exported = await runCli(['export', '--config', config, '--random-weights', '--size', '8x8', '--out', path.join(dir, 'voc.onnx')]);
    expect(exported.err).toBe('');
    expect(exported.out).toMatch(/unet, 21 classes/);
    expect(metadata(path.join(dir, 'voc.onnx')).numClasses).toBe('21');
  });
});

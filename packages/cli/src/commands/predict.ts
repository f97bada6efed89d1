import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { tf } from '@ssseg/engine';
import { SssegError, predictLogits, writePaletteMask, type SegmentationModel } from '@ssseg/core';
import { readImage, sampleToInput } from '@ssseg/datasets';
import { OnnxPredictor, exportOnnx } from '@ssseg/models';
import { buildRunModel, disposeRunModel, startEngine } from './run-model';
import { defaultFromConfig, loadChosenWeights, withWeightsOptions, type WeightsFlags } from './checkpoint-weights';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** Class-index maps for one normalised image [1, H, W, 3], at the image's resolution. */
export interface MaskPredictor {
  predict(input: tf.Tensor4D): Promise<Int32Array>;
  release(): Promise<void>;
}

/** tfjs: eval-mode forward, bilinear upsampling to the input size, argmax (core's predictLogits). */
export function tfjsPredictor(model: SegmentationModel): MaskPredictor {
  return {
    async predict(input) {
      const labels = tf.tidy(() => predictLogits(model, input, { mode: 'full' }).argMax(-1));
      try {
        return Int32Array.from(await labels.data());
      } finally {
        labels.dispose();
      }
    },
    async release() {},
  };
}

/**
 * onnxruntime: the model exported in memory for each input size met (ONNX shapes are static),
 * logits upsampled as predictLogits does when the network's output stride is above 1.
 */
export function onnxPredictor(model: SegmentationModel): MaskPredictor {
  const sessions = new Map<string, OnnxPredictor>();
  return {
    async predict(input) {
      const [, h, w] = input.shape;
      const key = `${h}x${w}`;
      let session = sessions.get(key);
      if (!session) {
        session = await OnnxPredictor.create(exportOnnx(model, { inputShape: [1, h, w, 3] }));
        sessions.set(key, session);
      }
      const { data, shape } = await session.logits(input);
      const labels = tf.tidy(() => {
        const logits = tf.tensor4d(data, shape as [number, number, number, number]);
        const full = shape[1] === h && shape[2] === w ? logits : tf.image.resizeBilinear(logits, [h, w]);
        return full.argMax(-1);
      });
      try {
        return Int32Array.from(await labels.data());
      } finally {
        labels.dispose();
      }
    },
    async release() {
      for (const s of sessions.values()) await s.release();
      sessions.clear();
    },
  };
}

/** The images of a folder, sorted by name. */
export function listImages(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    throw new SssegError(`--input: cannot read the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, dir);
  }
  const images = names.filter((n) => IMAGE_FILE.test(n)).sort();
  if (!images.length) throw new SssegError('--input: no .png or .jpg images in the folder', dir);
  return images;
}

/** Predicts a mask for every image of `inputDir` and writes `<name>.png` palette masks into `outDir`. */
export async function predictFolder(predictor: MaskPredictor, inputDir: string, outDir: string): Promise<string[]> {
  const written: string[] = [];
  const names = listImages(inputDir);
  const stems = new Set<string>();
  for (const name of names) {
    const stem = name.replace(IMAGE_FILE, '');
    if (stems.has(stem)) throw new SssegError(`two images would write ${stem}.png`, path.join(inputDir, name));
    stems.add(stem);
  }
  for (const name of names) {
    const decoded = await readImage(path.join(inputDir, name));
    const input = sampleToInput({ id: name, height: decoded.height, width: decoded.width, image: decoded.image });
    let labels: Int32Array;
    try {
      labels = await predictor.predict(input);
    } finally {
      input.dispose();
    }
    const file = path.join(outDir, `${name.replace(IMAGE_FILE, '')}.png`);
    writePaletteMask(file, labels, decoded.height, decoded.width);
    written.push(file);
  }
  return written;
}

interface PredictOptions extends ConfigOverrideFlags, WeightsFlags {
  config: string;
  checkpoint: string;
  input: string;
  out: string;
  engine: string;
  classes?: string;
}

export function registerPredictCommand(program: Command): void {
  withWeightsOptions(withConfigOverrideOptions(program.command('predict'), 'run')
    .description('segment every .png/.jpg of a folder with a checkpoint; writes <name>.png palette masks (pixel value = class index)')
    .requiredOption('--config <file>', 'run config of the checkpoint (JSON or YAML)')
    .requiredOption('--checkpoint <file>', "training checkpoint (by default the weights the run's evaluation scored)"))
    .requiredOption('--input <dir>', 'folder of images')
    .requiredOption('--out <dir>', 'folder receiving the masks')
    .option('--engine <name>', 'tfjs (the --backend engine) or onnx (onnxruntime, CPU)', 'tfjs')
    .option('--classes <n>', 'class count (skips building the dataset to learn it)')
    .action(async (opts: PredictOptions, cmd: Command) => {
      if (opts.engine !== 'tfjs' && opts.engine !== 'onnx') throw new SssegError(`--engine expects tfjs or onnx, got '${opts.engine}'`);
      listImages(opts.input);
      await startEngine(cmd, opts.config);
      const built = buildRunModel(opts.config, opts.classes, 'structure', configOverrides(opts));
      const predictor = opts.engine === 'onnx' ? onnxPredictor(built.model) : tfjsPredictor(built.model);
      try {
        const weights = loadChosenWeights(built.model, opts.checkpoint, opts, () => defaultFromConfig(built.host, built.config, opts.config));
        process.stdout.write(`${weights}\n`);
        const written = await predictFolder(predictor, opts.input, opts.out);
        process.stdout.write(`wrote ${written.length} masks to ${path.resolve(opts.out)}\n`);
      } finally {
        await predictor.release();
        disposeRunModel(built);
      }
    });
}

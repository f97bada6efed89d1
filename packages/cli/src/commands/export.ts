import * as path from 'path';
import type { Command } from 'commander';
import { describeOnnxInput, writeOnnx, type OnnxPreprocessing } from '@ssseg/models';
import { IMAGENET_NORMALISATION } from '@ssseg/datasets';
import { SssegError, positiveInt } from '@ssseg/core';
import { exportSize } from './export-size';
import { buildRunModel, disposeRunModel, parseSize, startEngine } from './run-model';
import { defaultFromConfig, loadChosenWeights, withWeightsOptions, type WeightsFlags } from './checkpoint-weights';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

interface ExportOptions extends ConfigOverrideFlags, WeightsFlags {
  config: string;
  checkpoint?: string;
  randomWeights?: boolean;
  out: string;
  size?: string;
  batch: string;
  classes?: string;
  input: string;
}

const INPUT_FORMATS = ['rgb255', 'rgb1', 'normalised'] as const;

/** The graph's preprocessing for `--input`: ssseg trains on ImageNet-normalised images. */
function preprocessingFor(input: string): OnnxPreprocessing | undefined {
  if (!(INPUT_FORMATS as readonly string[]).includes(input)) throw new SssegError(`--input expects ${INPUT_FORMATS.join(', ')}, got '${input}'`);
  if (input === 'normalised') return undefined;
  return { scale: input === 'rgb255' ? 255 : 1, mean: IMAGENET_NORMALISATION.mean, std: IMAGENET_NORMALISATION.std };
}

export function registerExportCommand(program: Command): void {
  withWeightsOptions(withConfigOverrideOptions(program.command('export'), 'run'))
    .description("write the model of a run config as ONNX (opset 13): input 'image' [B, H, W, 3] float32 RGB, output 'logits' [B, h, w, classes], both NHWC")
    .requiredOption('--config <file>', 'run config (JSON or YAML)')
    .option('--checkpoint <file>', "training checkpoint (by default the weights the run's evaluation scored)")
    .option('--random-weights', 'export the initial (untrained) weights: without a checkpoint, export refuses unless told this')
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--input <format>', 'what the graph takes: rgb255 (RGB 0-255; ImageNet normalisation inside the graph), rgb1 (RGB 0-1, likewise), normalised (already (x - mean) / std, as in training)', 'rgb255')
    .option('--size <HxW>', "input height x width (shapes are static; default: the size the run's evaluation fed the model: the sliding window, the validation images' one size where the dataset has one, eval.cropSize or the dataset's cropSize, else 512x512)")
    .option('--batch <n>', 'batch size of the input', '1')
    .option('--classes <n>', 'class count (skips building the dataset: no data needed)')
    .addHelpText('after', '\nThe model\'s metadata (input_format, output_format, modelType, numClasses, outputStride) says the same.\nArgmax over the last axis of logits gives the class; logits come at 1/outputStride of the input: resize them bilinearly first.')
    .action(async (opts: ExportOptions, cmd: Command) => {
      const batch = positiveInt(opts.batch, '--batch');
      if ((opts.teacher || opts.student) && !opts.checkpoint) throw new SssegError(`${opts.teacher ? '--teacher' : '--student'} needs --checkpoint`);
      if (!opts.checkpoint && !opts.randomWeights) throw new SssegError('export needs --checkpoint <file> (the trained weights); --random-weights exports untrained ones on purpose');
      const preprocessing = preprocessingFor(opts.input);
      const size = opts.size ? parseSize(opts.size, '--size') : undefined;
      await startEngine(cmd, opts.config);
      const built = buildRunModel(opts.config, opts.classes, opts.checkpoint ? 'structure' : 'model', configOverrides(opts));
      try {
        const weights = opts.checkpoint
          ? loadChosenWeights(built.model, opts.checkpoint, opts, () => defaultFromConfig(built.host, built.config, opts.config))
          : 'weights: random (--random-weights)';
        const { size: [h, w], reason } = exportSize(built, size);
        writeOnnx(built.model, opts.out, { inputShape: [batch, h, w, 3], preprocessing });
        process.stdout.write(`wrote ${path.resolve(opts.out)}: ${built.model.type}, ${built.model.numClasses} classes, ${opts.checkpoint ? `weights of ${opts.checkpoint}` : 'random weights'}\n` +
          `  input 'image' [${batch}, ${h}, ${w}, 3]: ${describeOnnxInput(preprocessing)}\n` +
          `  size ${h}x${w}: ${reason}\n  ${weights}\n`);
      } finally {
        disposeRunModel(built);
      }
    });
}

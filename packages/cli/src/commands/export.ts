import * as path from 'path';
import type { Command } from 'commander';
import { writeOnnx } from '@ssseg/models';
import { SssegError } from '@ssseg/core';
import { positiveInt } from './train';
import { buildRunModel, disposeRunModel, loadCheckpointGroup, parseSize, startEngine } from './run-model';

interface ExportOptions {
  config: string;
  checkpoint?: string;
  out: string;
  size?: string;
  batch: string;
  classes?: string;
  teacher?: boolean;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("write the model of a run config as ONNX (opset 13, input 'image' NHWC, output 'logits' NHWC), with a checkpoint's weights")
    .requiredOption('--config <file>', 'run config (JSON or YAML)')
    .option('--checkpoint <file>', "training checkpoint whose student weights to export (default: the model's initial weights)")
    .option('--teacher', "export the checkpoint's EMA teacher weights instead of the student's")
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--size <HxW>', 'input height x width (shapes are static; default: eval.cropSize or the dataset crop size, else 512x512)')
    .option('--batch <n>', 'batch size of the input', '1')
    .option('--classes <n>', 'class count (skips building the dataset to learn it)')
    .action(async (opts: ExportOptions, cmd: Command) => {
      const batch = positiveInt(opts.batch, '--batch');
      if (opts.teacher && !opts.checkpoint) throw new SssegError('--teacher needs --checkpoint');
      const size = opts.size ? parseSize(opts.size, '--size') : undefined;
      await startEngine(cmd, opts.config);
      const built = buildRunModel(opts.config, opts.classes);
      try {
        if (opts.checkpoint) {
          const found = loadCheckpointGroup(built.model, opts.checkpoint, opts.teacher ? 'teacher' : 'model');
          if (!found) throw new SssegError("--teacher: the checkpoint has no teacher weights ('teacher/...')", opts.checkpoint);
        }
        const crop = built.config.eval.cropSize ?? (built.run?.dataset as { cropSize?: number } | undefined)?.cropSize ?? 512;
        const [h, w] = size ?? [crop, crop];
        writeOnnx(built.model, opts.out, { inputShape: [batch, h, w, 3] });
        process.stdout.write(`wrote ${path.resolve(opts.out)}: ${built.model.type}, ${built.model.numClasses} classes, input [${batch}, ${h}, ${w}, 3]\n`);
      } finally {
        disposeRunModel(built);
      }
    });
}

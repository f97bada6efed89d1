import * as path from 'path';
import type { Command } from 'commander';
import { tf } from '@ssseg/engine';
import { SssegError, saveTensorFile } from '@ssseg/core';
import { RESNET_LAYOUT, importBackboneFromOnnx, type ResNetDepth } from '@ssseg/models';
import { positiveInt } from './train';
import { startEngine } from './run-model';

interface ImportOptions {
  from: string;
  backbone: string;
  depth: string;
  out: string;
  prefix?: string;
}

export function registerImportBackboneCommand(program: Command): void {
  program
    .command('import-backbone')
    .description("convert a torchvision-layout ResNet exported to ONNX into a weight file of 'backbone.*' tensors (for loadBackboneWeights; the model needs backbone.stem: torchvision)")
    .requiredOption('--from <file>', 'the .onnx file (torch.onnx.export with batch norm kept, do_constant_folding=False)')
    .option('--backbone <type>', 'backbone type (only resnet)', 'resnet')
    .requiredOption('--depth <n>', 'ResNet depth: 18, 34, 50 or 101')
    .option('--prefix <p>', "prefix of the backbone's initializer names in the file (e.g. 'backbone.')", '')
    .requiredOption('--out <file>', 'weight file to write')
    .action(async (opts: ImportOptions, cmd: Command) => {
      if (opts.backbone !== 'resnet') throw new SssegError(`--backbone: only resnet can be imported, got '${opts.backbone}'`);
      const depth = positiveInt(opts.depth, '--depth') as ResNetDepth;
      if (!RESNET_LAYOUT[depth]) throw new SssegError(`--depth expects 18, 34, 50 or 101, got '${opts.depth}'`);
      await startEngine(cmd);
      const weights = importBackboneFromOnnx(opts.from, { backbone: 'resnet', depth, prefix: opts.prefix });
      try {
        const named = new Map([...weights].map(([name, t]) => [`backbone.${name}`, t] as [string, tf.Tensor]));
        saveTensorFile(opts.out, named, { format: 'ssseg-weights-1', backbone: { type: 'resnet', depth, stem: 'torchvision' }, source: path.basename(opts.from) });
        const params = [...weights.values()].reduce((s, t) => s + t.size, 0);
        process.stdout.write(`wrote ${path.resolve(opts.out)}: ResNet-${depth} backbone, ${weights.size} tensors, ${params} values; load with loadBackboneWeights(model, file, { sourcePrefix: 'backbone.' })\n`);
      } finally {
        tf.dispose([...weights.values()]);
      }
    });
}

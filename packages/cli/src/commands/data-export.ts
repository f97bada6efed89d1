import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { SssegError, writeFileAtomic } from '@ssseg/core';
import { buildDataset, type DatasetPart } from '@ssseg/datasets';
import { encodeRgbPng, writePaletteMask } from '@ssseg/report';
import { parseOption } from './data';
import { positiveInt } from './train';

interface ExportFlags {
  type: string;
  root?: string;
  split?: string;
  option: Record<string, unknown>;
  part: string;
  limit: string;
  out: string;
}

function fileName(id: string): string {
  return id.replace(/[^\w.-]+/g, '_');
}

/** `ssseg data export-images`: a dataset's images (and masks) as PNG files, e.g. for `ssseg predict`. */
export function registerDataExportCommand(data: Command): void {
  data
    .command('export-images')
    .description('write a dataset\'s images as RGB PNGs (images/) and their labels as palette PNGs (masks/), e.g. to feed ssseg predict')
    .requiredOption('--type <type>', 'dataset type: mnist-seg, pascal-voc, cityscapes')
    .requiredOption('--out <dir>', 'output folder')
    .option('--root <dir>', 'data root')
    .option('--split <name>', 'split name (1464, 1_16, ...)')
    .option('--option <key=value>', 'any other dataset option, repeatable (e.g. size=256)', parseOption, {})
    .option('--part <name>', 'labelled, unlabelled or validation', 'validation')
    .option('--limit <n>', 'at most n images', '16')
    .action(async (opts: ExportFlags) => {
      const parts: DatasetPart[] = ['labelled', 'unlabelled', 'validation'];
      if (!parts.includes(opts.part as DatasetPart)) throw new SssegError(`--part expects ${parts.join(', ')}, got '${opts.part}'`);
      const config: { type: string; [k: string]: unknown } = { ...opts.option, type: opts.type };
      if (opts.root !== undefined) config.root = opts.root;
      if (opts.split !== undefined) config.split = opts.split;
      const dataset = buildDataset(config, '--type/--option');
      const source = dataset[opts.part as DatasetPart]();
      const count = Math.min(source.length, positiveInt(opts.limit, '--limit'));
      fs.mkdirSync(path.join(opts.out, 'images'), { recursive: true });
      let masks = 0;
      for (let i = 0; i < count; i++) {
        const sample = await source.get(i);
        const name = `${String(i).padStart(4, '0')}-${fileName(sample.id)}.png`;
        writeFileAtomic(path.join(opts.out, 'images', name), encodeRgbPng(sample));
        if (sample.mask) {
          fs.mkdirSync(path.join(opts.out, 'masks'), { recursive: true });
          writePaletteMask(path.join(opts.out, 'masks', name), sample.mask, sample.height, sample.width);
          masks++;
        }
      }
      process.stdout.write(`wrote ${count} images${masks ? ` and ${masks} masks` : ''} of ${opts.type} (${opts.part}) to ${opts.out}\n`);
    });
}

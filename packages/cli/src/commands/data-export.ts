import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { SssegError, encodeRgbPng, maskPalette, positiveInt, writeFileAtomic, writePaletteMask, type Sample } from '@ssseg/core';
import { buildDataset, type DatasetPart } from '@ssseg/datasets';
import { encodeSampleGrid } from '@ssseg/report';
import { parseOption } from './data';

interface ExportFlags {
  type: string;
  root?: string;
  split?: string;
  option: Record<string, unknown>;
  part: string;
  limit: string;
  out?: string;
  grid?: string;
}

function fileName(id: string): string {
  return id.replace(/[^\w.-]+/g, '_');
}

/**
 * `ssseg data export-images`: a dataset's images (and masks) as PNG files, e.g. for `ssseg predict`,
 * and/or one PNG of them side by side (`--grid`), to look at.
 */
export function registerDataExportCommand(data: Command): void {
  data
    .command('export-images')
    .description('write a dataset\'s images as RGB PNGs (images/) and their labels as palette PNGs (masks/), e.g. to feed ssseg predict')
    .requiredOption('--type <type>', 'dataset type: mnist-seg, fashion-seg, pascal-voc, cityscapes')
    .option('--out <dir>', 'output folder')
    .option('--grid <file>', 'also (or only) one PNG of the images beside their masks, 4 pairs a row')
    .option('--root <dir>', 'data root')
    .option('--split <name>', 'split name (1464, 1_16, ...)')
    .option('--option <key=value>', 'any other dataset option, repeatable (e.g. size=256)', parseOption, {})
    .option('--part <name>', 'labelled, unlabelled or validation', 'validation')
    .option('--limit <n>', 'at most n images', '16')
    .action(async (opts: ExportFlags) => {
      const parts: DatasetPart[] = ['labelled', 'unlabelled', 'validation'];
      if (!parts.includes(opts.part as DatasetPart)) throw new SssegError(`--part expects ${parts.join(', ')}, got '${opts.part}'`);
      if (opts.out === undefined && opts.grid === undefined) throw new SssegError('export-images needs --out, --grid or both');
      const config: { type: string; [k: string]: unknown } = { ...opts.option, type: opts.type };
      if (opts.root !== undefined) config.root = opts.root;
      if (opts.split !== undefined) config.split = opts.split;
      const dataset = buildDataset(config, '--type/--option');
      const source = dataset[opts.part as DatasetPart]();
      const palette = maskPalette(dataset.palette);
      const count = Math.min(source.length, positiveInt(opts.limit, '--limit'));
      if (opts.out !== undefined) fs.mkdirSync(path.join(opts.out, 'images'), { recursive: true });
      const samples: Sample[] = [];
      let masks = 0;
      for (let i = 0; i < count; i++) {
        const sample = await source.get(i);
        if (sample.mask) masks++;
        if (opts.grid !== undefined) samples.push(sample);
        if (opts.out === undefined) continue;
        const name = `${String(i).padStart(4, '0')}-${fileName(sample.id)}.png`;
        writeFileAtomic(path.join(opts.out, 'images', name), encodeRgbPng(sample));
        if (sample.mask) writePaletteMask(path.join(opts.out, 'masks', name), sample.mask, sample.height, sample.width, palette);
      }
      const what = `${count} images${masks ? ` and ${masks} masks` : ''} of ${opts.type} (${opts.part})`;
      if (opts.out !== undefined) process.stdout.write(`wrote ${what} to ${opts.out}\n`);
      if (opts.grid !== undefined) {
        if (!samples.length) throw new SssegError(`--grid: the ${opts.part} part of ${opts.type} holds no images`);
        writeFileAtomic(opts.grid, encodeSampleGrid(samples, { classColours: dataset.palette }));
        process.stdout.write(`wrote a grid of ${what} to ${opts.grid}\n`);
      }
    });
}

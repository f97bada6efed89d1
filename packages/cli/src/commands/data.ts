import type { Command } from 'commander';
import { SssegError, positiveInt } from '@ssseg/core';
import { formatClassBalance, inspectDataset, prepareSplits, type DatasetPart, type DatasetStats } from '@ssseg/datasets';
import { registerDataExportCommand } from './data-export';

/** `key=value` from `--option`, the value read as a number or boolean when it looks like one. */
export function parseOption(entry: string, into: Record<string, unknown>): Record<string, unknown> {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new SssegError(`--option expects key=value, got '${entry}'`);
  const key = entry.slice(0, eq).trim(), raw = entry.slice(eq + 1).trim();
  const value = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { ...into, [key]: value };
}

/** `1/16`, `0.0625` -> 0.0625. */
export function parseFraction(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  const f = m ? Number(m[1]) / Number(m[2]) : Number(value);
  if (!(f > 0 && f <= 1)) throw new SssegError(`--fraction expects a fraction in (0, 1] such as 1/16 or 0.0625, got '${value}'`);
  return f;
}

export function formatStats(stats: DatasetStats): string {
  const parts = Object.entries(stats.parts).map(([p, n]) => `${p} ${n}`).join(', ');
  const size = ([h, w]: [number, number]) => `${h}x${w}`;
  return [
    `${stats.images} images (${parts}), ${stats.masks} with labels`,
    `sizes (HxW): ${size(stats.minSize)} to ${size(stats.maxSize)}`,
    '',
    formatClassBalance(stats),
  ].join('\n');
}

interface InspectFlags {
  type: string;
  root?: string;
  split?: string;
  splitDir?: string;
  option: Record<string, unknown>;
  part?: string[];
  limit?: string;
  json?: boolean;
}

interface PrepareFlags {
  type: string;
  root: string;
  fraction?: string;
  count?: string;
  seed: string;
  out?: string;
  labelFormat?: string;
}

const PARTS: DatasetPart[] = ['labelled', 'unlabelled', 'validation'];

export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('look at and prepare datasets');
  data
    .command('inspect')
    .description('read every image and label of a dataset: counts, sizes, pixels per class, ignore pixels (a bad file is named)')
    .requiredOption('--type <type>', 'dataset type: pascal-voc, cityscapes, mnist-seg, fashion-seg')
    .option('--root <dir>', 'data root')
    .option('--split <name>', 'split name (1464, 1_16, ...)')
    .option('--split-dir <dir>', 'folder of the split folders and val.txt')
    .option('--option <key=value>', 'any other dataset option, repeatable (e.g. size=256)', parseOption, {})
    .option('--part <name...>', 'parts to read: labelled, unlabelled, validation (default: all)')
    .option('--limit <n>', 'read at most n images per part')
    .option('--json', 'print one JSON object (DatasetStats: images, masks, classPixelCounts, ignorePixels, minSize, maxSize, parts, classNames)')
    .action(async (opts: InspectFlags) => {
      const config: { type: string; [k: string]: unknown } = { ...opts.option, type: opts.type };
      if (opts.root !== undefined) config.root = opts.root;
      if (opts.split !== undefined) config.split = opts.split;
      if (opts.splitDir !== undefined) config.splitDir = opts.splitDir;
      for (const p of opts.part ?? []) {
        if (!PARTS.includes(p as DatasetPart)) throw new SssegError(`--part expects ${PARTS.join(', ')}, got '${p}'`);
      }
      const stats = await inspectDataset(config, {
        parts: opts.part as DatasetPart[] | undefined,
        limit: opts.limit ? positiveInt(opts.limit, '--limit') : undefined,
      });
      process.stdout.write(opts.json ? `${JSON.stringify(stats)}\n` : `${formatStats(stats)}\n`);
    });
  data
    .command('prepare-splits')
    .description('draw a seeded labelled subset of the training pool and write UniMatch split files (<name>/labeled.txt, unlabeled.txt, val.txt)')
    .requiredOption('--type <type>', 'pascal-voc or cityscapes')
    .requiredOption('--root <dir>', 'data root (VOC2012 folder or Cityscapes root)')
    .option('--fraction <f>', 'labelled fraction, e.g. 1/16 (split named 1_16)')
    .option('--count <n>', 'or a number of labelled images (split named by it, e.g. 92)')
    .requiredOption('--seed <n>', 'seed of the draw')
    .option('--out <dir>', 'folder of the splits (default <root>/splits)')
    .option('--label-format <f>', 'cityscapes masks: labelIds or trainIds')
    .action((opts: PrepareFlags) => {
      if (opts.type !== 'pascal-voc' && opts.type !== 'cityscapes') throw new SssegError(`--type expects pascal-voc or cityscapes, got '${opts.type}'`);
      if ((opts.fraction === undefined) === (opts.count === undefined)) throw new SssegError('prepare-splits needs exactly one of --fraction and --count');
      if (opts.labelFormat !== undefined && opts.labelFormat !== 'labelIds' && opts.labelFormat !== 'trainIds') {
        throw new SssegError(`--label-format expects labelIds or trainIds, got '${opts.labelFormat}'`);
      }
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new SssegError(`--seed expects an integer, got '${opts.seed}'`);
      const result = prepareSplits({
        type: opts.type,
        root: opts.root,
        fraction: opts.fraction !== undefined ? parseFraction(opts.fraction) : undefined,
        count: opts.count !== undefined ? positiveInt(opts.count, '--count') : undefined,
        seed,
        out: opts.out,
        labelFormat: opts.labelFormat as 'labelIds' | 'trainIds' | undefined,
      });
      process.stdout.write(`split ${result.name}: ${result.labelled} labelled, ${result.unlabelled} unlabelled, ${result.validation} validation -> ${result.dir}\n`);
    });
  registerDataExportCommand(data);
}

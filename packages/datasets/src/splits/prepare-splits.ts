import * as fs from 'fs';
import * as path from 'path';
import { Rng, SssegError, writeFileAtomic } from '@ssseg/core';
import { formatSplitLines } from './split-file';
import { labelledCountOf } from './labelled-count';

export interface PrepareSplitsOptions {
  type: 'pascal-voc' | 'cityscapes';
  /** Data root (VOCdevkit/VOC2012-like folder, or the Cityscapes root). */
  root: string;
  /** Labelled fraction of the training pool, e.g. 1/16 (named `1_16`). */
  fraction?: number;
  /** Or an exact number of labelled images (named by the number, as UniMatch's `92`). */
  count?: number;
  seed: number;
  /** Folder receiving `<name>/labeled.txt`, `<name>/unlabeled.txt` and `val.txt`; default <root>/splits. */
  out?: string;
  /** Cityscapes masks: `labelIds` (default) or `trainIds` files. */
  labelFormat?: 'labelIds' | 'trainIds';
}

export interface PreparedSplits {
  name: string;
  dir: string;
  labelled: number;
  unlabelled: number;
  validation: number;
}

interface Pair {
  image: string;
  mask: string;
}

/**
 * Draws a labelled subset of a dataset's training pool with a seeded RNG and writes UniMatch
 * split files (`<image> <mask>` per line). The pool is sorted first, so the subset depends only on
 * the files present and the seed, never on directory order.
 */
export function prepareSplits(options: PrepareSplitsOptions): PreparedSplits {
  const root = path.resolve(options.root);
  const { train, val } = options.type === 'pascal-voc' ? vocPool(root) : cityscapesPool(root, options.labelFormat ?? 'labelIds');
  train.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  val.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  const { count, name } = labelledCount(options, train.length);
  const chosen = new Set(Rng.fromSeed(`prepare-splits:${options.seed}`).sampleIndices(train.length, count));
  const labelled = train.filter((_, i) => chosen.has(i));
  const unlabelled = train.filter((_, i) => !chosen.has(i));
  const out = path.resolve(root, options.out ?? 'splits');
  const dir = path.join(out, name);
  writeFileAtomic(path.join(dir, 'labeled.txt'), formatSplitLines(labelled));
  writeFileAtomic(path.join(dir, 'unlabeled.txt'), formatSplitLines(unlabelled));
  writeFileAtomic(path.join(out, 'val.txt'), formatSplitLines(val));
  return { name, dir, labelled: labelled.length, unlabelled: unlabelled.length, validation: val.length };
}

function labelledCount(options: PrepareSplitsOptions, poolSize: number): { count: number; name: string } {
  if ((options.fraction === undefined) === (options.count === undefined)) {
    throw new SssegError('give exactly one of fraction and count', 'prepareSplits');
  }
  if (options.count !== undefined) {
    if (!Number.isInteger(options.count) || options.count < 1 || options.count > poolSize) {
      throw new SssegError(`count must be an integer in [1, ${poolSize}] (the training pool), got ${options.count}`, 'prepareSplits');
    }
    return { count: options.count, name: String(options.count) };
  }
  const f = options.fraction!;
  if (!(f > 0 && f <= 1)) throw new SssegError(`fraction must be in (0, 1], got ${f}`, 'prepareSplits');
  const inverse = 1 / f;
  const name = Math.abs(inverse - Math.round(inverse)) < 1e-9 ? `1_${Math.round(inverse)}` : String(f);
  return { count: labelledCountOf(poolSize, f, 'prepareSplits: fraction', name), name };
}

/** VOC: ImageSets/Segmentation/{train,val}.txt list ids; masks in SegmentationClassAug if present. */
function vocPool(root: string): { train: Pair[]; val: Pair[] } {
  const maskDir = fs.existsSync(path.join(root, 'SegmentationClassAug')) ? 'SegmentationClassAug' : 'SegmentationClass';
  const ids = (list: string) => {
    const file = path.join(root, 'ImageSets/Segmentation', list);
    if (!fs.existsSync(file)) throw new SssegError(`VOC id list not found (expected ImageSets/Segmentation/${list})`, file);
    return fs.readFileSync(file, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  };
  const pair = (id: string): Pair => ({ image: `JPEGImages/${id}.jpg`, mask: `${maskDir}/${id}.png` });
  const valIds = ids('val.txt');
  const valSet = new Set(valIds);
  const trainIds = new Set(ids('train.txt'));
  if (maskDir === 'SegmentationClassAug') {
    // SBD adds ~9k training images; the pool is every augmented mask not in val
    for (const f of fs.readdirSync(path.join(root, maskDir))) {
      const id = f.replace(/\.png$/, '');
      if (f.endsWith('.png') && !valSet.has(id)) trainIds.add(id);
    }
  }
  return { train: [...trainIds].map(pair), val: valIds.map(pair) };
}

/** Cityscapes: every leftImg8bit/<split>/<city>/*_leftImg8bit.png with its gtFine mask. */
function cityscapesPool(root: string, labelFormat: 'labelIds' | 'trainIds'): { train: Pair[]; val: Pair[] } {
  const suffix = labelFormat === 'labelIds' ? '_gtFine_labelIds.png' : '_gtFine_labelTrainIds.png';
  const scan = (split: string): Pair[] => {
    const dir = path.join(root, 'leftImg8bit', split);
    if (!fs.existsSync(dir)) throw new SssegError(`Cityscapes image folder not found (expected leftImg8bit/${split})`, dir);
    const pairs: Pair[] = [];
    for (const city of fs.readdirSync(dir).sort()) {
      for (const f of fs.readdirSync(path.join(dir, city)).sort()) {
        if (!f.endsWith('_leftImg8bit.png')) continue;
        const stem = f.slice(0, -'_leftImg8bit.png'.length);
        const mask = `gtFine/${split}/${city}/${stem}${suffix}`;
        if (!fs.existsSync(path.join(root, mask))) throw new SssegError(`mask ${mask} not found for image`, path.join(dir, city, f));
        pairs.push({ image: `leftImg8bit/${split}/${city}/${f}`, mask });
      }
    }
    return pairs;
  };
  return { train: scan('train'), val: scan('val') };
}

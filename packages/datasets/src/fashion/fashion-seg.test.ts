import * as fs from 'fs';
import * as path from 'path';
import { initEngine, tf } from '@ssseg/engine';
import { Rng, optionsFor, type Dataset } from '@ssseg/core';
import { FashionSegDataset } from './fashion-seg';
import { FASHION_MNIST_DIR, readFashionMnist } from './fashion-files';
import { createLoader } from '../loader/loader';
import { inspectDataset, formatClassBalance } from '../inspect/inspect';
import { tempDir } from '../testing/fixtures';
import { writeIdxPair } from '../testing/idx-fixture';

/** The dataset as the plugin host builds it: options validated, defaults filled in. */
const fashionSeg = (options: Record<string, unknown>) => new FashionSegDataset(optionsFor(FashionSegDataset, options));

/** A stand-in Fashion-MNIST folder: 8x8 items of the given labels, each a solid square of grey 200. */
function fakeFashionDir(dir: string, train: number[], t10k: number[]): string {
  for (const [prefix, labels] of [['train', train], ['t10k', t10k]] as const) {
    writeIdxPair(dir, prefix, { rows: 8, cols: 8, pixels: new Uint8Array(labels.length * 64).fill(200), labels, gzip: true });
  }
  return dir;
}

async function labelsIn(source: ReturnType<Dataset['validation']>): Promise<number[]> {
  const seen = new Set<number>();
  for (let i = 0; i < source.length; i++) for (const v of (await source.get(i)).mask ?? []) seen.add(v);
  return [...seen].sort((a, b) => a - b);
}

describe('fashion-seg', () => {
  const dirs: string[] = [];
  const dir = (prefix: string) => {
    dirs.push(tempDir(prefix));
    return dirs[dirs.length - 1];
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const cacheDir = dir('fashion-cache');
  const small = { size: 128, valSize: 32, cacheDir };

  it("reads Debian's Fashion-MNIST: 60000 train and 10000 t10k products of 28x28", () => {
    const train = readFashionMnist('train', FASHION_MNIST_DIR);
    const test = readFashionMnist('t10k', FASHION_MNIST_DIR);
    expect([train.count, train.rows, train.cols, test.count, test.rows]).toEqual([60000, 28, 28, 10000, 28]);
    // Fashion-MNIST's first training and first test item are both an ankle boot (9)
    expect([train.labels[0], test.labels[0]]).toEqual([9, 9]);
  });

  it('composites training items into the training set and t10k items only into validation', async () => {
    // train: trousers (1) and coats (4) only; t10k: sneakers (7) only
    const dataDir = fakeFashionDir(dir('fake-fashion'), [1, 4, 1, 4, 1], [7, 7, 7]);
    const ds = fashionSeg({ size: 16, valSize: 8, canvas: 32, split: '1_2', cacheDir: dir('c'), dataDir });
    expect(await labelsIn(ds.labelled())).toEqual([0, 2, 5]);
    expect(await labelsIn(ds.validation())).toEqual([0, 8]);
  });

  it('is deterministic from the seed, cached on disk (read back without the package), and differs across seeds', async () => {
    const a = fashionSeg({ ...small, seed: 4 });
    expect(a.generated).toBe(true);
    expect(a.cacheFile).toMatch(/fashion-seg-[0-9a-f]{16}\/composites\.bin$/);
    expect(fs.readdirSync(path.dirname(a.cacheFile)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const b = fashionSeg({ ...small, seed: 4, dataDir: '/nonexistent' });
    expect(b.generated).toBe(false);
    expect(b.cacheFile).toBe(a.cacheFile);
    const other = fashionSeg({ ...small, seed: 5 });
    expect(other.cacheFile).not.toBe(a.cacheFile);
    const [sa, sb, so] = await Promise.all([a.labelled().get(0), b.labelled().get(0), other.unlabelled().get(0)]);
    expect(sb).toEqual(sa);
    expect(Array.from(so.image)).not.toEqual(Array.from(sa.image));
    const fresh = fashionSeg({ ...small, seed: 4, cacheDir: dir('fashion-cache2') });
    expect(fresh.generated).toBe(true);
    expect(fs.readFileSync(fresh.cacheFile).equals(fs.readFileSync(a.cacheFile))).toBe(true); // same bytes (toEqual on 2.6 MB is slow)
  });

  it('labels each product class, a textured background around them, and draws 2 to 4 products a canvas', async () => {
    const ds = fashionSeg({ ...small, seed: 1 });
    const stats = await inspectDataset(ds, { parts: ['validation'] });
    const counts = stats.classPixelCounts;
    const total = counts.reduce((x, y) => x + y, 0);
    expect(total).toBe(32 * 64 * 64);
    expect(counts[0] / total).toBeGreaterThan(0.6);
    expect(counts[0] / total).toBeLessThan(0.9);
    const items = counts.slice(1);
    for (const c of items) expect(c / (total - counts[0])).toBeGreaterThan(0.02);
    expect(formatClassBalance(stats)).toContain('ankle boot');
    for (let i = 0; i < 32; i++) {
      const s = await ds.validation().get(i);
      const present = new Set(Array.from(s.mask!).filter((v) => v > 0));
      expect(present.size).toBeGreaterThanOrEqual(1);
      expect(present.size).toBeLessThanOrEqual(4);
      // the background is never flat: its pixels take many grey levels
      const levels = new Set<number>();
      for (let p = 0; p < s.mask!.length; p++) if (!s.mask![p]) levels.add(Math.round(s.image[3 * p] * 255));
      expect(levels.size).toBeGreaterThan(20);
    }
  });

  it('splits are labelled fractions, nested, disjoint from unlabelled, and fixed by the seed alone', () => {
    const split = (s: string, seed = 1) => fashionSeg({ ...small, seed, split: s });
    const s64 = split('1_64'), s32 = split('1_32'), s16 = split('1_16');
    expect([s64, s32, s16].map((d) => d.labelled().length)).toEqual([2, 4, 8]);
    expect(s16.unlabelled().length).toBe(128 - 8);
    const set = (d: FashionSegDataset) => new Set(d.labelledIndices);
    for (const i of s64.labelledIndices) expect(set(s32).has(i)).toBe(true);
    for (const i of s32.labelledIndices) expect(set(s16).has(i)).toBe(true);
    for (const i of s16.unlabelledIndices) expect(set(s16).has(i)).toBe(false);
    expect([...s16.labelledIndices, ...s16.unlabelledIndices].sort((x, y) => x - y)).toEqual([...Array(128).keys()]);
    expect(split('1_32').labelledIndices).toEqual(s32.labelledIndices);
    expect(split('1_32', 2).labelledIndices).not.toEqual(s32.labelledIndices);
  });

  it('without the package, says how to install it and where it looked; SSSEG_FASHION_MNIST_DIR points elsewhere', () => {
    const empty = dir('no-fashion');
    const build = (o: Record<string, unknown> = {}) => fashionSeg({ size: 4, valSize: 2, split: 'full', cacheDir: dir('c'), ...o });
    expect(() => build({ dataDir: empty })).toThrow(
      `${empty}: Fashion-MNIST not found (no train-images-idx3-ubyte.gz): install it with \`apt-get install dataset-fashion-mnist\``,
    );
    const saved = process.env.SSSEG_FASHION_MNIST_DIR;
    try {
      process.env.SSSEG_FASHION_MNIST_DIR = empty;
      expect(() => build()).toThrow(new RegExp(`^${empty}: Fashion-MNIST not found`));
      process.env.SSSEG_FASHION_MNIST_DIR = fakeFashionDir(dir('fake-fashion'), [2], [3]);
      expect(build({ canvas: 28 }).numClasses).toBe(11);
    } finally {
      if (saved === undefined) delete process.env.SSSEG_FASHION_MNIST_DIR;
      else process.env.SSSEG_FASHION_MNIST_DIR = saved;
    }
  });

  it('feeds the data loader (weak view and two strong views) without leaking tensors', async () => {
    await initEngine({ backend: 'cpu', verbose: false });
    const ds = fashionSeg({ ...small, split: '1_16' });
    const loader = createLoader({ dataset: ds, batchSize: 2, unlabelledBatchSize: 2, strongViews: 2, rng: Rng.fromSeed(1), prefetch: 0 });
    const before = tf.memory().numTensors;
    for await (const batch of loader.epoch(0)) {
      expect(batch.labelled.images.shape).toEqual([2, 64, 64, 3]);
      expect(batch.unlabelled!.strong).toHaveLength(2);
      const masks = Array.from(batch.labelled.masks.dataSync());
      expect(masks.every((v) => (v >= 0 && v < 11) || v === 255)).toBe(true);
      tf.dispose([batch.labelled.images, batch.labelled.masks, batch.unlabelled!.weak, batch.unlabelled!.ignore, ...batch.unlabelled!.strong, ...batch.unlabelled!.cutmixBoxes]);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad options with the option named', () => {
    expect(() => fashionSeg({ ...small, split: '1/32' })).toThrow(/split/);
    expect(() => fashionSeg({ ...small, minItems: 3, maxItems: 2 })).toThrow(/data\.maxItems: maxItems \(2\) is below minItems \(3\)/);
  });
});

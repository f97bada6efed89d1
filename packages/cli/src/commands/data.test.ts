import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FashionSegDataset, MnistSegDataset, prepareSplits } from '@ssseg/datasets';
import { encodeSampleGrid } from '@ssseg/report';
import { runCli } from './cli-harness';
import { optionsFor } from '@ssseg/core';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-data-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ssseg data inspect', () => {
  it('counts pixels per class as a direct pass over the samples does', async () => {
    const cacheDir = path.join(dir, 'cache');
    const { code, out, err } = await runCli([
      'data', 'inspect', '--type', 'mnist-seg', '--option', 'size=16', '--option', 'valSize=4', '--option', 'split=full', '--option', `cacheDir=${cacheDir}`, '--json',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const stats = JSON.parse(out);
    const ds = new MnistSegDataset(optionsFor(MnistSegDataset, { size: 16, valSize: 4, split: 'full', cacheDir }));
    const counts = new Array(11).fill(0);
    let ignore = 0, images = 0;
    for (const source of [ds.labelled(), ds.unlabelled(), ds.validation()]) {
      for (let i = 0; i < source.length; i++) {
        const s = await source.get(i);
        images++;
        for (const v of s.mask ?? []) (v === 255 ? ignore++ : counts[v]++);
      }
    }
    expect(stats.images).toBe(images);
    expect(stats.classPixelCounts).toEqual(counts);
    expect(stats.ignorePixels).toBe(ignore);
    const table = await runCli(['data', 'inspect', '--type', 'mnist-seg', '--option', 'size=16', '--option', 'valSize=4', '--option', 'split=full', '--option', `cacheDir=${cacheDir}`]);
    expect(table.out).toMatch(new RegExp(`^${images} images`));
    expect(table.out).toMatch(new RegExp(`background\\s+${counts[0]}\\s`));
  });

  it('names a bad image file and a bad --option', async () => {
    const root = path.join(dir, 'voc');
    fs.mkdirSync(path.join(root, 'JPEGImages'), { recursive: true });
    fs.mkdirSync(path.join(root, 'splits/2'), { recursive: true });
    fs.writeFileSync(path.join(root, 'JPEGImages/broken.jpg'), 'not a jpeg');
    const line = 'JPEGImages/broken.jpg SegmentationClass/broken.png\n';
    for (const f of ['splits/2/labeled.txt', 'splits/2/unlabeled.txt', 'splits/val.txt']) fs.writeFileSync(path.join(root, f), line);
    const bad = await runCli(['data', 'inspect', '--type', 'pascal-voc', '--root', root, '--split', '2']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('broken');
    const option = await runCli(['data', 'inspect', '--type', 'mnist-seg', '--option', 'size']);
    expect(option.code).toBe(1);
    expect(option.err).toMatch(/--option expects key=value, got 'size'/);
  });
});

describe('ssseg data prepare-splits', () => {
  it('writes the split files prepareSplits writes, and names a bad fraction', async () => {
    const root = path.join(dir, 'VOC2012');
    fs.mkdirSync(path.join(root, 'ImageSets/Segmentation'), { recursive: true });
    const ids = Array.from({ length: 12 }, (_, i) => `2007_${String(i).padStart(6, '0')}`);
    fs.writeFileSync(path.join(root, 'ImageSets/Segmentation/train.txt'), ids.slice(0, 8).join('\n'));
    fs.writeFileSync(path.join(root, 'ImageSets/Segmentation/val.txt'), ids.slice(8).join('\n'));
    const { code, out } = await runCli(['data', 'prepare-splits', '--type', 'pascal-voc', '--root', root, '--fraction', '1/4', '--seed', '3', '--out', path.join(dir, 'cli-splits')]);
    expect(code).toBe(0);
    expect(out).toMatch(/split 1_4: 2 labelled, 6 unlabelled, 4 validation/);
    prepareSplits({ type: 'pascal-voc', root, fraction: 0.25, seed: 3, out: path.join(dir, 'ref-splits') });
    for (const f of ['1_4/labeled.txt', '1_4/unlabeled.txt', 'val.txt']) {
      expect(fs.readFileSync(path.join(dir, 'cli-splits', f), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'ref-splits', f), 'utf8'));
    }
    const bad = await runCli(['data', 'prepare-splits', '--type', 'pascal-voc', '--root', root, '--fraction', '3/2', '--seed', '3']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--fraction expects a fraction in \(0, 1\]/);
    const both = await runCli(['data', 'prepare-splits', '--type', 'pascal-voc', '--root', root, '--fraction', '1/4', '--count', '2', '--seed', '3']);
    expect(both.err).toMatch(/exactly one of --fraction and --count/);
  });
});

describe('ssseg data export-images', () => {
  it('writes the images and masks a dataset holds, pixel for pixel', async () => {
    const cacheDir = path.join(dir, 'cache');
    const out = path.join(dir, 'exported');
    const { code, out: stdout, err } = await runCli([
      'data', 'export-images', '--type', 'mnist-seg', '--option', 'size=16', '--option', 'valSize=4', '--option', 'split=full', '--option', `cacheDir=${cacheDir}`, '--limit', '3', '--out', out,
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/wrote 3 images and 3 masks of mnist-seg \(validation\)/);
    const { decode } = await import('fast-png');
    const source = new MnistSegDataset(optionsFor(MnistSegDataset, { size: 16, valSize: 4, split: 'full', cacheDir })).validation();
    const images = fs.readdirSync(path.join(out, 'images')).sort();
    expect(images).toHaveLength(3);
    for (const [i, name] of images.entries()) {
      const sample = await source.get(i);
      const png = decode(fs.readFileSync(path.join(out, 'images', name)));
      expect([png.width, png.height, png.channels]).toEqual([sample.width, sample.height, 3]);
      expect(Array.from(png.data)).toEqual(Array.from(sample.image, (v) => Math.round(v * 255)));
      expect(Array.from(decode(fs.readFileSync(path.join(out, 'masks', name))).data)).toEqual(Array.from(sample.mask!));
    }
  });

  it('draws a fashion-seg grid of images beside their masks (--grid), and wants --out or --grid', async () => {
    const cacheDir = path.join(dir, 'cache');
    const grid = path.join(dir, 'grid/samples.png');
    const options = ['--option', 'size=16', '--option', 'valSize=4', '--option', 'split=full', '--option', `cacheDir=${cacheDir}`];
    const { code, out, err } = await runCli(['data', 'export-images', '--type', 'fashion-seg', ...options, '--limit', '3', '--grid', grid]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toBe(`wrote a grid of 3 images and 3 masks of fashion-seg (validation) to ${grid}\n`);
    const fashion = new FashionSegDataset(optionsFor(FashionSegDataset, { size: 16, valSize: 4, split: 'full', cacheDir }));
    const source = fashion.validation();
    const samples = await Promise.all([0, 1, 2].map((i) => source.get(i)));
    expect(fs.readFileSync(grid).equals(Buffer.from(encodeSampleGrid(samples, { classColours: fashion.palette })))).toBe(true);
    expect(fs.readdirSync(path.dirname(grid))).toEqual(['samples.png']);
    const neither = await runCli(['data', 'export-images', '--type', 'fashion-seg', ...options]);
    expect(neither.code).toBe(1);
    expect(neither.err).toMatch(/export-images needs --out, --grid or both/);
  });

  it('refuses an unknown part', async () => {
    const { code, err } = await runCli(['data', 'export-images', '--type', 'mnist-seg', '--part', 'train', '--out', path.join(dir, 'x')]);
    expect(code).toBe(1);
    expect(err).toMatch(/--part expects labelled, unlabelled, validation, got 'train'/);
  });
});

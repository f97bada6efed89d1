import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MnistSegDataset, prepareSplits } from '@ssseg/datasets';
import { runCli } from './cli-harness';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-data-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ssseg data inspect', () => {
  it('counts pixels per class as a direct pass over the samples does', async () => {
    const cacheDir = path.join(dir, 'cache');
    const { code, out, err } = await runCli([
      'data', 'inspect', '--type', 'mnist-seg', '--option', 'size=16', '--option', 'valSize=4', '--option', `cacheDir=${cacheDir}`, '--json',
    ]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const stats = JSON.parse(out);
    const ds = new MnistSegDataset({ size: 16, valSize: 4, cacheDir });
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
    const table = await runCli(['data', 'inspect', '--type', 'mnist-seg', '--option', 'size=16', '--option', 'valSize=4', '--option', `cacheDir=${cacheDir}`]);
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

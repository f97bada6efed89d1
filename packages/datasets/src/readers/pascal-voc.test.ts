import * as fs from 'fs';
import * as path from 'path';
import { encode } from 'fast-png';
import { PascalVocDataset } from './pascal-voc';
import { buildDataset } from '../inspect/inspect';
import { makeVocTree, writeLines, writeGreyPng, writePalettePng, type VocTree } from '../testing/fixtures';
import { optionsFor } from '@ssseg/core';

describe('pascal-voc reader', () => {
  let tree: VocTree;
  beforeAll(async () => {
    tree = await makeVocTree();
  });

  it('reads JPEG images and palette PNG labels as class indices, pixel by pixel', async () => {
    const ds = new PascalVocDataset(optionsFor(PascalVocDataset, { root: tree.root, split: '2' }));
    expect(ds.numClasses).toBe(21);
    expect([ds.labelled().length, ds.unlabelled().length, ds.validation().length]).toEqual([2, 2, 2]);
    for (const [source, ids] of [[ds.labelled(), tree.ids.slice(0, 2)], [ds.validation(), tree.ids.slice(4)]] as const) {
      for (let i = 0; i < source.length; i++) {
        const s = await source.get(i);
        expect(s.id).toBe(`JPEGImages/${ids[i]}.jpg`);
        expect([s.height, s.width]).toEqual([tree.h, tree.w]);
        expect(Array.from(s.mask!)).toEqual(Array.from(tree.masks[ids[i]]));
        // JPEG at quality 100 is close to the pattern, not equal
        const expected = tree.images[ids[i]];
        let worst = 0;
        for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(s.image[k] * 255 - expected[k]));
        expect(worst).toBeLessThan(12);
      }
    }
  });

  it('reads unlabelled images without their masks', async () => {
    const s = await new PascalVocDataset(optionsFor(PascalVocDataset, { root: tree.root, split: '2' })).unlabelled().get(0);
    expect(s.mask).toBeUndefined();
    expect(s.image).toHaveLength(tree.h * tree.w * 3);
  });

  it('reads sub-byte palette PNGs (4-bit) the same way', async () => {
    const root = (await makeVocTree(5)).root;
    const values = new Uint8Array(10 * 12).map((_, i) => i % 16);
    fs.writeFileSync(path.join(root, 'SegmentationClass/2007_000000.png'), encode({ width: 12, height: 10, data: pack4(values), depth: 4, channels: 1, palette: Array.from({ length: 16 }, () => [0, 0, 0]) }));
    writeLines(path.join(root, 'splits/2/labeled.txt'), ['JPEGImages/2007_000000.jpg SegmentationClass/2007_000000.png']);
    const s = await new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' })).labelled().get(0);
    expect(Array.from(s.mask!)).toEqual(Array.from(values));
  });

  describe('bad input', () => {
    it('a split line naming a missing file gives the file and line number', async () => {
      const { root } = await makeVocTree(5);
      writeLines(path.join(root, 'splits/2/labeled.txt'), [
        'JPEGImages/2007_000000.jpg SegmentationClass/2007_000000.png',
        'JPEGImages/nope.jpg SegmentationClass/2007_000000.png',
      ]);
      expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(/splits\/2\/labeled\.txt:2: image file JPEGImages\/nope\.jpg not found/);
      writeLines(path.join(root, 'splits/2/labeled.txt'), ['', 'JPEGImages/2007_000000.jpg SegmentationClass/missing.png']);
      expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(/labeled\.txt:2: mask file SegmentationClass\/missing\.png not found/);
    });

    it('an empty split is refused, naming the file', async () => {
      const { root } = await makeVocTree(5);
      writeLines(path.join(root, 'splits/2/labeled.txt'), ['# nothing here', '']);
      expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(/labeled\.txt: split file lists no images/);
      expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '7' }))).toThrow(/splits\/7\/labeled\.txt: split file not found/);
    });

    it('an image and mask of different sizes are refused, naming both and the line', async () => {
      const { root } = await makeVocTree(5);
      writePalettePng(path.join(root, 'SegmentationClass/2007_000001.png'), new Uint8Array(9 * 12), 9, 12);
      const ds = new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }));
      await expect(ds.labelled().get(1)).rejects.toThrow(
        /labeled\.txt:2: image .*2007_000001\.jpg is 12x10 but its mask .*2007_000001\.png is 12x9/,
      );
    });

    it('a label value outside the classes that is not 255 is refused, naming the file and pixel', async () => {
      const { root } = await makeVocTree(5);
      const bad = new Uint8Array(10 * 12);
      bad[2 * 12 + 5] = 21;
      writePalettePng(path.join(root, 'SegmentationClass/2007_000000.png'), bad, 10, 12);
      await expect(new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' })).labelled().get(0)).rejects.toThrow(
        /2007_000000\.png: label value 21 at \(x 5, y 2\) is outside the 21 classes \[0, 20\] and is not 255/,
      );
    });

    it('a colour (RGB) label PNG is refused: labels are indices, not colours', async () => {
      const { root } = await makeVocTree(5);
      fs.writeFileSync(path.join(root, 'SegmentationClass/2007_000000.png'), encode({ width: 12, height: 10, data: new Uint8Array(360), depth: 8, channels: 3 }));
      await expect(new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' })).labelled().get(0)).rejects.toThrow(/2007_000000\.png: expected an indexed \(palette\) or greyscale label PNG, got 3 channels/);
    });

    it('a corrupt image or label file is refused, naming the file', async () => {
      const { root } = await makeVocTree(5);
      const jpeg = path.join(root, 'JPEGImages/2007_000000.jpg');
      fs.writeFileSync(jpeg, fs.readFileSync(jpeg).subarray(0, 40));
      await expect(new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' })).labelled().get(0)).rejects.toThrow(/2007_000000\.jpg: cannot decode image/);
      fs.writeFileSync(path.join(root, 'SegmentationClass/2007_000001.png'), 'not a png');
      await expect(new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' })).labelled().get(1)).rejects.toThrow(/2007_000001\.png: not a readable PNG label map/);
    });

    it('a greyscale label PNG (SegmentationClassAug style) is read as indices', async () => {
      const { root } = await makeVocTree(5);
      const values = new Uint8Array(120).map((_, i) => (i % 7 === 0 ? 255 : i % 21));
      writeGreyPng(path.join(root, 'SegmentationClass/2007_000000.png'), values, 10, 12);
      const s = await new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' })).labelled().get(0);
      expect(Array.from(s.mask!)).toEqual(Array.from(values));
    });

    it('unknown options are refused', () => {
      expect(() => buildDataset({ type: 'pascal-voc', root: '/x', split: '2', spiltDir: 'y' })).toThrow(/data\.spiltDir: unknown key; did you mean 'splitDir'\?/);
    });
  });
});

function pack4(values: Uint8Array): Uint8Array {
  const out = new Uint8Array(values.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (values[2 * i] << 4) | values[2 * i + 1];
  return out;
}

import * as path from 'path';
import { CityscapesDataset, CITYSCAPES_TRAIN_IDS } from './cityscapes';
import { makeCityscapesTree, writeGreyPng, writeLines, type CityscapesTree } from '../testing/fixtures';
import { optionsFor } from '@ssseg/core';

/** The table written out as a plain lookup, independently of the reader's LUT. */
function expectedTrainId(labelId: number): number {
  return labelId in CITYSCAPES_TRAIN_IDS ? CITYSCAPES_TRAIN_IDS[labelId] : 255;
}

describe('cityscapes reader', () => {
  let tree: CityscapesTree;
  beforeAll(async () => {
    tree = await makeCityscapesTree();
  });

  it('maps labelIds to the 19 trainIds, pixel by pixel', async () => {
    const ds = new CityscapesDataset(optionsFor(CityscapesDataset, { root: tree.root, split: '1_2' }));
    expect(ds.numClasses).toBe(19);
    expect([ds.labelled().length, ds.unlabelled().length, ds.validation().length]).toEqual([2, 2, 1]);
    const masks = Object.keys(tree.labelIds);
    for (const [source, files] of [[ds.labelled(), masks.slice(0, 2)], [ds.validation(), masks.slice(4)]] as const) {
      for (let i = 0; i < source.length; i++) {
        const s = await source.get(i);
        expect([s.height, s.width]).toEqual([tree.h, tree.w]);
        expect(Array.from(s.mask!)).toEqual(Array.from(tree.labelIds[files[i]], expectedTrainId));
      }
    }
    // spot checks of the table itself (Cityscapes' labels.py): road, sky, bicycle, and an unlabelled id
    expect([7, 23, 33, 4].map(expectedTrainId)).toEqual([0, 10, 18, 255]);
  });

  it('reads PNG images exactly', async () => {
    const s = await new CityscapesDataset(optionsFor(CityscapesDataset, { root: tree.root, split: '1_2' })).labelled().get(1);
    // pattern(h, w, 1): red = x*20 + 40, green = y*20 + 10, blue = 128
    const at = (x: number, y: number) => Array.from(s.image.subarray((y * tree.w + x) * 3, (y * tree.w + x) * 3 + 3), (v) => Math.round(v * 255));
    expect(at(3, 2)).toEqual([100, 50, 128]);
  });

  it('reads *_labelTrainIds.png as they are', async () => {
    const root = (await makeCityscapesTree()).root;
    const mask = 'gtFine/train/aachen/aachen_000000_000019_gtFine_labelTrainIds.png';
    const values = new Uint8Array(tree.h * tree.w).map((_, i) => (i % 5 === 0 ? 255 : i % 19));
    writeGreyPng(path.join(root, mask), values, tree.h, tree.w);
    writeLines(path.join(root, 'splits/1_2/labeled.txt'), [`leftImg8bit/train/aachen/aachen_000000_000019_leftImg8bit.png ${mask}`]);
    const s = await new CityscapesDataset(optionsFor(CityscapesDataset, { root, split: '1_2' })).labelled().get(0);
    expect(Array.from(s.mask!)).toEqual(Array.from(values));
  });

  it('refuses values that are no labelId, and trainIds past 18, naming the file', async () => {
    const root = (await makeCityscapesTree()).root;
    const mask = 'gtFine/train/aachen/aachen_000000_000019_gtFine_labelIds.png';
    const values = new Uint8Array(tree.h * tree.w).fill(7);
    values[3] = 34;
    writeGreyPng(path.join(root, mask), values, tree.h, tree.w);
    await expect(new CityscapesDataset(optionsFor(CityscapesDataset, { root, split: '1_2' })).labelled().get(0)).rejects.toThrow(/labelIds\.png: label value 34 at \(x 3, y 0\) is not a Cityscapes labelId/);
    values[3] = 19;
    writeGreyPng(path.join(root, mask), values, tree.h, tree.w);
    await expect(new CityscapesDataset(optionsFor(CityscapesDataset, { root, split: '1_2', labelFormat: 'trainIds' })).labelled().get(0)).rejects.toThrow(/label value 19 .* outside the 19 classes/);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { inspectDataset, formatClassBalance } from './inspect';
import { makeVocTree, makeCityscapesTree } from '../testing/fixtures';

describe('inspectDataset', () => {
  it('counts classes, ignore pixels and sizes of a VOC tree against the written masks', async () => {
    const tree = await makeVocTree(6);
    const stats = await inspectDataset({ type: 'pascal-voc', root: tree.root, split: '2' });
    expect(stats.parts).toEqual({ labelled: 2, unlabelled: 2, validation: 2 });
    expect([stats.images, stats.masks]).toEqual([6, 4]);
    const expected = new Array(21).fill(0);
    let ignore = 0;
    for (const id of [...tree.ids.slice(0, 2), ...tree.ids.slice(4)]) {
      for (const v of tree.masks[id]) v === 255 ? ignore++ : expected[v]++;
    }
    expect(stats.classPixelCounts).toEqual(expected);
    expect(stats.ignorePixels).toBe(ignore);
    expect([stats.minSize, stats.maxSize]).toEqual([[10, 12], [10, 12]]);
    expect(formatClassBalance(stats)).toMatch(/person\s+\d+\s+\d+\.\d+%/);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('reports a bad file by name', async () => {
    const tree = await makeCityscapesTree();
    fs.writeFileSync(path.join(tree.root, 'leftImg8bit/val/lindau/lindau_000000_000019_leftImg8bit.png'), 'garbage');
    await expect(inspectDataset({ type: 'cityscapes', root: tree.root, split: '1_2' })).rejects.toThrow(/lindau_000000_000019_leftImg8bit\.png: cannot decode image/);
    await expect(inspectDataset({ type: 'voc', root: tree.root })).rejects.toThrow(/data\.type: unknown Dataset type 'voc'/);
  });
});

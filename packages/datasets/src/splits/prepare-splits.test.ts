import * as fs from 'fs';
import * as path from 'path';
import { prepareSplits } from './prepare-splits';
import { PascalVocDataset } from '../readers/pascal-voc';
import { CityscapesDataset } from '../readers/cityscapes';
import { makeCityscapesTree, makeVocTree } from '../testing/fixtures';
import { optionsFor } from '@ssseg/core';

const lines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n');

describe('prepareSplits', () => {
  it('writes UniMatch split files for VOC that the reader accepts; the same seed gives the same subset', async () => {
    const { root, ids } = await makeVocTree(8);
    const a = prepareSplits({ type: 'pascal-voc', root, count: 2, seed: 1, out: 'mysplits' });
    expect(a).toMatchObject({ name: '2', labelled: 2, unlabelled: 4, validation: 2 });
    const labelled = lines(path.join(root, 'mysplits/2/labeled.txt'));
    const unlabelled = lines(path.join(root, 'mysplits/2/unlabeled.txt'));
    expect([...labelled, ...unlabelled].sort()).toEqual(ids.slice(0, 6).map((id) => `JPEGImages/${id}.jpg SegmentationClass/${id}.png`));
    expect(lines(path.join(root, 'mysplits/val.txt'))).toEqual(ids.slice(6).map((id) => `JPEGImages/${id}.jpg SegmentationClass/${id}.png`));
    prepareSplits({ type: 'pascal-voc', root, count: 2, seed: 1, out: 'again' });
    expect(lines(path.join(root, 'again/2/labeled.txt'))).toEqual(labelled);
    const ds = new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2', splitDir: 'mysplits' }));
    expect(ds.labelled().length).toBe(2);
    expect((await ds.labelled().get(0)).mask).toBeDefined();
  });

  it('names fraction splits 1_k and draws Cityscapes pairs from leftImg8bit/gtFine', async () => {
    const { root } = await makeCityscapesTree();
    const r = prepareSplits({ type: 'cityscapes', root, fraction: 1 / 4, seed: 3 });
    expect(r).toMatchObject({ name: '1_4', labelled: 1, unlabelled: 3, validation: 1 });
    const ds = new CityscapesDataset(optionsFor(CityscapesDataset, { root, split: '1_4' }));
    expect(ds.unlabelled().length).toBe(3);
    expect(lines(path.join(root, 'splits/1_4/labeled.txt'))[0]).toMatch(/^leftImg8bit\/train\/\w+\/\w+_leftImg8bit\.png gtFine\/train\/\w+\/\w+_gtFine_labelIds\.png$/);
  });

  it('refuses bad requests, naming what was expected', async () => {
    const { root } = await makeVocTree(4);
    expect(() => prepareSplits({ type: 'pascal-voc', root, seed: 1 })).toThrow(/exactly one of fraction and count/);
    expect(() => prepareSplits({ type: 'pascal-voc', root, count: 99, seed: 1 })).toThrow(/count must be an integer in \[1, 2\]/);
    fs.rmSync(path.join(root, 'ImageSets/Segmentation/val.txt'));
    expect(() => prepareSplits({ type: 'pascal-voc', root, count: 1, seed: 1 })).toThrow(/expected ImageSets\/Segmentation\/val\.txt/);
  });
});

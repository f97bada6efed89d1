import * as fs from 'fs';
import { Augmentation, Dataset, PluginHost, Rng } from '@ssseg/core';
import { datasetsPlugin } from './plugin';
import { MnistSegDataset } from './mnist/mnist-seg';
import { RandomCrop } from './augment/geometric';
import { buildAugmentations } from './augment/pipeline';
import { makeVocTree, tempDir } from './testing/fixtures';

describe('datasetsPlugin', () => {
  const host = new PluginHost();
  host.load(datasetsPlugin);
  const cacheDir = tempDir('plugin-cache');
  afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

  it('registers the datasets and augmentations by type', () => {
    expect(host.typesOf(Dataset).sort()).toEqual(['cityscapes', 'fashion-seg', 'mnist-seg', 'pascal-voc']);
    expect(host.typesOf(Augmentation).sort()).toEqual(
      ['color-jitter', 'cutmix-box', 'gaussian-blur', 'grayscale', 'horizontal-flip', 'random-crop', 'random-rescale'],
    );
  });

  it('builds components from config dicts with validated options', async () => {
    const ds = host.build(Dataset, { type: 'mnist-seg', size: 64, valSize: 8, split: '1_8', cacheDir }, 'data');
    expect(ds).toBeInstanceOf(MnistSegDataset);
    expect(ds.labelled().length).toBe(8);
    const voc = host.build(Dataset, { type: 'pascal-voc', root: (await makeVocTree(5)).root, split: '2' }, 'data');
    expect(voc.numClasses).toBe(21);
    const crop = host.build(Augmentation, { type: 'random-crop', size: 5 }, 'augmentations.weak[1]');
    expect(crop).toBeInstanceOf(RandomCrop);
    expect(() => host.build(Augmentation, { type: 'random-crop' }, 'augmentations.weak[1]')).toThrow(/augmentations\.weak\[1\]\.size/);
    expect(() => host.build(Dataset, { type: 'pascal-voc', root: '/nonexistent', split: '2' }, 'data')).toThrow(/labeled\.txt: split file not found/);
  });

  it('a pipeline can be built through the host, for third-party augmentation types', () => {
    const p = buildAugmentations([{ type: 'horizontal-flip', p: 1 }], 'augmentations.weak', (c, at) => host.build(Augmentation, c, at));
    const out = p.apply({ id: 'x', height: 1, width: 2, image: Float32Array.from([0, 0, 0, 1, 1, 1]) }, Rng.fromSeed(1));
    expect(Array.from(out.image)).toEqual([1, 1, 1, 0, 0, 0]);
  });
});

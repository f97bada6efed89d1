import { Rng } from '@ssseg/core';
import { defaultWeakFor } from './pipeline';
import { HorizontalFlip, RandomCrop, RandomRescale } from './geometric';
import { MemoryDataset } from '../testing/memory-dataset';

const stepTypes = (dataset: MemoryDataset) =>
  defaultWeakFor(dataset).steps.map((s) => s.constructor);

describe('default weak pipeline of a dataset', () => {
  it("is UniMatch's (rescale, crop, flip) when the dataset names none", () => {
    expect(stepTypes(new MemoryDataset({ labelled: 1, unlabelled: 1 }))).toEqual([RandomRescale, RandomCrop, HorizontalFlip]);
  });

  it("is the dataset's own when it has one, and then never mirrors an image", async () => {
    const dataset = Object.assign(new MemoryDataset({ labelled: 1, unlabelled: 1 }), {
      weakAugmentations: () => [{ type: 'random-crop', size: 8 }],
    });
    const pipeline = defaultWeakFor(dataset);
    expect(pipeline.steps.map((s) => s.constructor)).toEqual([RandomCrop]);
    const sample = await dataset.labelled().get(0);
    const rng = Rng.fromSeed(3);
    for (let i = 0; i < 20; i++) expect(Array.from(pipeline.apply(sample, rng).image)).toEqual(Array.from(sample.image));
  });

  it('names the dataset when it gives neither a pipeline nor a crop size', () => {
    const dataset = Object.assign(new MemoryDataset({ labelled: 1, unlabelled: 1 }), { cropSize: undefined });
    expect(() => defaultWeakFor(dataset)).toThrow(/dataset memory names no cropSize/);
  });

  it('reports a bad dataset default with where it came from', () => {
    const dataset = Object.assign(new MemoryDataset({ labelled: 1, unlabelled: 1 }), {
      weakAugmentations: () => [{ type: 'random-crop', size: -1 }],
    });
    expect(() => defaultWeakFor(dataset)).toThrow(/memory's default weak augmentations/);
  });
});

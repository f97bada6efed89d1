import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, Dataset, Rng, definePlugin, provide, type Sample, type SampleSource } from '@ssseg/core';

const options = z.strictObject({
  numClasses: z.number().int().min(2).max(255).default(21),
  size: z.number().int().positive().default(128),
  length: z.number().int().positive().default(8),
  seed: z.number().int().default(1),
});

/** Random images and label maps of a fixed size, drawn from the run's seed: a stand-in for W2's timing. */
@injectable()
export class SyntheticSegmentationDataset implements Dataset {
  static options = options;
  static summary = 'random images and labels (benchmarks only)';
  static readonly type = 'bench-synthetic';
  readonly type = componentType(this);
  readonly numClasses: number;
  readonly classNames: readonly string[];

  constructor(@inject(ComponentOptions) private readonly o: ComponentOptions<typeof SyntheticSegmentationDataset.options>) {
    this.numClasses = this.o.numClasses;
    this.classNames = Array.from({ length: this.numClasses }, (_, c) => `class${c}`);
  }

  labelled(): SampleSource {
    return this.source('labelled', true);
  }

  unlabelled(): SampleSource {
    return this.source('unlabelled', false);
  }

  validation(): SampleSource {
    return this.source('validation', true);
  }

  private source(split: string, withMask: boolean): SampleSource {
    const { size, length, seed, numClasses } = this.o;
    const id = (i: number) => `${split}-${i}`;
    return {
      length,
      id,
      get: async (i: number): Promise<Sample> => {
        if (!(i >= 0 && i < length)) throw new RangeError(`${split}: index ${i} outside [0, ${length})`);
        const rng = Rng.fromSeed(`${seed}/${split}/${i}`);
        const image = Float32Array.from({ length: size * size * 3 }, () => rng.next());
        const mask = withMask ? Uint8Array.from({ length: size * size }, () => rng.int(numClasses)) : undefined;
        return { id: id(i), height: size, width: size, image, mask };
      },
    };
  }
}

export const syntheticDatasetPlugin = definePlugin({
  name: '@ssseg/cli/bench-synthetic',
  version: '0.1.0',
  description: 'a random dataset for benchmarks',
  module: new ContainerModule(({ bind }) => provide(bind, Dataset, SyntheticSegmentationDataset)),
});

import * as path from 'path';
import { z } from 'zod';
import { Rng, type Dataset, type SampleSource } from '@ssseg/core';
import { defaultCacheDir, hashKey, readCache, writeCache } from './cache';
import type { Composite } from './composite-items';
import { CompositeSource, type Composites } from './composite-source';
import type { LabelledImages } from './idx';
import { COMPOSITE_CLASS_COLOURS } from './class-colours';
import { labelledCountOf } from '../splits/labelled-count';

const SPLIT = /^(1_([1-9]\d*)|full)$/;

/** The options every composite dataset takes (each adds its own to these). */
export const COMPOSITE_DATASET_OPTIONS = {
  seed: z.number().int().default(1),
  /** Training composites (labelled + unlabelled). */
  size: z.number().int().positive().default(2048),
  /** Validation composites, made from the held-out (test) items only. */
  valSize: z.number().int().positive().default(512),
  canvas: z.number().int().min(28).default(64),
  /** Labelled fraction `1_<k>` (1_64, 1_32, 1_16, 1_8, ...) or `full`. */
  split: z.string().regex(SPLIT, "expected '1_<k>' (e.g. 1_32) or 'full'").default('1_32'),
  /** Validation composites are the same for every seed, so seeds compare on one set. */
  valSeed: z.number().int().default(0),
  cacheDir: z.string().optional(),
  cropSize: z.number().int().positive().optional(),
};
const CommonOptions = z.object(COMPOSITE_DATASET_OPTIONS);
export type CompositeDatasetOptions = z.output<typeof CommonOptions>;

export interface CompositeDatasetSpec {
  /** The dataset's type: it names the cache folder and the random streams. */
  name: string;
  options: CompositeDatasetOptions;
  /** Everything the composites depend on, hashed into the cache file's name. */
  key: Record<string, unknown>;
  /** The training items (`train`) or the held-out ones (`val`); read only when nothing is cached. */
  readItems(set: 'train' | 'val'): LabelledImages;
  composite(items: LabelledImages, rng: Rng): Composite;
}

/**
 * A dataset of items composited onto canvases, generated once and cached on disk. Composite i comes
 * from its own stream `<name>:<seed>:train:<i>`, so the first k composites are the same whatever
 * `size` is; validation composites come from the held-out items with `valSeed`. The labelled subset
 * is a prefix of one seeded permutation: for a seed, 1_64 is inside 1_32 inside 1_16, and no method
 * choice changes it.
 */
export abstract class CompositeDataset implements Dataset {
  abstract readonly type: string;
  abstract readonly numClasses: number;
  abstract readonly classNames: readonly string[];
  readonly palette = COMPOSITE_CLASS_COLOURS;
  /** Every composite is one square canvas. */
  static imageSize(options: Record<string, unknown>): number | undefined {
    return typeof options.canvas === 'number' ? options.canvas : undefined;
  }
  readonly cropSize: number;
  /** The cache file the composites were read from or written to. */
  readonly cacheFile: string;
  /** Whether this instance generated the composites (false: read from cache). */
  readonly generated: boolean;
  readonly labelledIndices: number[];
  readonly unlabelledIndices: number[];
  private readonly train: Composites;
  private readonly val: Composites;
  private readonly canvas: number;

  /**
   * Items that change meaning when mirrored (digits; Fashion-MNIST's shoes, which all point one way)
   * would teach, under UniMatch's flip, mirrored items that validation never shows, and all are drawn
   * at one scale: so no flip and a mild rescale. Measured on mnist-seg (U-Net 16/3, 1/16 labelled,
   * 600 steps, supervised): 17.2 mIoU % with UniMatch's pipeline, 34.9 with this one.
   */
  weakAugmentations() {
    return [
      { type: 'random-rescale', minScale: 0.8, maxScale: 1.25 },
      { type: 'random-crop', size: this.cropSize },
    ];
  }

  protected constructor(spec: CompositeDatasetSpec) {
    const o = spec.options;
    this.canvas = o.canvas;
    this.cropSize = o.cropSize ?? o.canvas;
    this.cacheFile = path.join(path.resolve(o.cacheDir ?? defaultCacheDir()), `${spec.name}-${hashKey(spec.key)}`, 'composites.bin');
    let arrays = readCache(this.cacheFile, spec.key);
    this.generated = !arrays;
    if (!arrays) {
      const make = (set: 'train' | 'val', count: number, seed: number) => {
        const items = spec.readItems(set);
        return generate(count, o.canvas, (i) => spec.composite(items, Rng.fromSeed(`${spec.name}:${seed}:${set}:${i}`)));
      };
      const train = make('train', o.size, o.seed);
      const val = make('val', o.valSize, o.valSeed);
      arrays = { trainImages: train.images, trainMasks: train.masks, valImages: val.images, valMasks: val.masks };
      writeCache(this.cacheFile, spec.key, arrays);
    }
    this.train = { count: o.size, images: arrays.trainImages, masks: arrays.trainMasks };
    this.val = { count: o.valSize, images: arrays.valImages, masks: arrays.valMasks };

    const match = SPLIT.exec(o.split)!;
    const labelledCount = match[2] ? labelledCountOf(o.size, 1 / Number(match[2]), 'data.split', o.split) : o.size;
    const order = Rng.fromSeed(`${spec.name}:${o.seed}:labelled`).shuffle([...Array(o.size).keys()]);
    this.labelledIndices = order.slice(0, labelledCount).sort((a, b) => a - b);
    this.unlabelledIndices = order.slice(labelledCount).sort((a, b) => a - b);
  }

  labelled(): SampleSource {
    return new CompositeSource(this.train, this.labelledIndices, this.canvas, 'train', true);
  }
  unlabelled(): SampleSource {
    return new CompositeSource(this.train, this.unlabelledIndices, this.canvas, 'train', false);
  }
  validation(): SampleSource {
    return new CompositeSource(this.val, [...Array(this.val.count).keys()], this.canvas, 'val', true);
  }
}

function generate(count: number, canvas: number, composite: (i: number) => Composite): { images: Uint8Array; masks: Uint8Array } {
  const n = canvas * canvas;
  const images = new Uint8Array(count * n * 3);
  const masks = new Uint8Array(count * n);
  for (let i = 0; i < count; i++) {
    const c = composite(i);
    images.set(c.image, i * n * 3);
    masks.set(c.mask, i * n);
  }
  return { images, masks };
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, ConfigError } from '@ssseg/core';
import { COMPOSITE_DATASET_OPTIONS, CompositeDataset } from '../composite/composite-dataset';
import { compositeItems } from '../composite/composite-items';
import { fashionMnistDir, readFashionMnist } from './fashion-files';
import { FASHION_STYLE } from './fashion-style';

export const FASHION_SEG_CLASSES = [
  'background', 't-shirt/top', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot',
] as const;

/** Bump when the compositing changes, so old caches are not reused. */
const GENERATOR_VERSION = 1;

export const FashionSegOptions = z.strictObject({
  ...COMPOSITE_DATASET_OPTIONS,
  minItems: z.number().int().min(1).default(2),
  maxItems: z.number().int().min(1).default(4),
  /** Grey level in [0, 1] from which a product pixel belongs to its silhouette (Fashion-MNIST's backdrop is 0). */
  threshold: z.number().gt(0).lt(1).default(0.1),
  /** Largest share of a new item's silhouette that may land on earlier items (the rest occludes them). */
  maxOverlap: z.number().min(0).max(1).default(0.4),
  /** Folder of the Fashion-MNIST IDX files (default `$SSSEG_FASHION_MNIST_DIR`, else Debian's). */
  dataDir: z.string().optional(),
});
export type FashionSegOptions = z.input<typeof FashionSegOptions>;

/**
 * Zalando's Fashion-MNIST product photographs (Debian's `dataset-fashion-mnist`) composited onto
 * textured canvases, overlapping, 11 classes; validation from its test (t10k) images only (see
 * `CompositeDataset` for streams, splits and the cache). Unlike mnist-seg's single-stroke digits,
 * classes differ by silhouette and texture, and several silhouettes overlap (shirt, pullover, coat).
 */
@injectable()
export class FashionSegDataset extends CompositeDataset {
  static options = FashionSegOptions;
  static summary = 'Fashion-MNIST products composited on textured 64x64 canvases (11 classes), cached on disk';
  static readonly type = 'fashion-seg';
  readonly type = componentType(this);
  static readonly numClasses = 11;
  readonly numClasses = 11;
  readonly classNames = FASHION_SEG_CLASSES;

  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof FashionSegOptions>) {
    if (o.maxItems < o.minItems) throw new ConfigError(`maxItems (${o.maxItems}) is below minItems (${o.minItems})`, 'data.maxItems');
    const compose = { canvas: o.canvas, minItems: o.minItems, maxItems: o.maxItems, threshold: o.threshold, maxOverlap: o.maxOverlap };
    const dir = fashionMnistDir(o.dataDir);
    super({
      name: 'fashion-seg',
      options: o,
      key: { generator: GENERATOR_VERSION, seed: o.seed, size: o.size, valSize: o.valSize, valSeed: o.valSeed, ...compose },
      readItems: (set) => readFashionMnist(set === 'train' ? 'train' : 't10k', dir),
      composite: (items, rng) => compositeItems(items, rng, compose, FASHION_STYLE),
    });
  }
}

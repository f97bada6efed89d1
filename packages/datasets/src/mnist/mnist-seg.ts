import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, ConfigError } from '@ssseg/core';
import { COMPOSITE_DATASET_OPTIONS, CompositeDataset } from '../composite/composite-dataset';
import { compositeDigits } from './composite';
import { readMnist } from './idx';

export const MNIST_SEG_CLASSES = ['background', 'digit 0', 'digit 1', 'digit 2', 'digit 3', 'digit 4', 'digit 5', 'digit 6', 'digit 7', 'digit 8', 'digit 9'] as const;

/** Bump when the compositing changes, so old caches are not reused. */
const GENERATOR_VERSION = 2;

export const MnistSegOptions = z.strictObject({
  ...COMPOSITE_DATASET_OPTIONS,
  minDigits: z.number().int().min(1).default(2),
  maxDigits: z.number().int().min(1).default(4),
  /** Grey level in [0, 1] from which a digit pixel counts as the digit. */
  threshold: z.number().gt(0).lt(1).default(0.5),
});
export type MnistSegOptions = z.input<typeof MnistSegOptions>;

/**
 * The bundled default dataset: real MNIST digits composited onto canvases, 11 classes, validation
 * from MNIST's test digits (see `CompositeDataset` for streams, splits and the cache).
 */
@injectable()
export class MnistSegDataset extends CompositeDataset {
  static options = MnistSegOptions;
  static summary = 'MNIST digits composited on 64x64 canvases (11 classes), cached on disk';
  static readonly type = 'mnist-seg';
  readonly type = componentType(this);
  static readonly numClasses = 11;
  readonly numClasses = 11;
  readonly classNames = MNIST_SEG_CLASSES;

  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof MnistSegOptions>) {
    if (o.maxDigits < o.minDigits) throw new ConfigError(`maxDigits (${o.maxDigits}) is below minDigits (${o.minDigits})`, 'data.maxDigits');
    const compose = { canvas: o.canvas, minItems: o.minDigits, maxItems: o.maxDigits, threshold: o.threshold, maxOverlap: 0.25 };
    super({
      name: 'mnist-seg',
      options: o,
      // in the order and with the names of the first cache files, so they stay valid
      key: {
        generator: GENERATOR_VERSION, seed: o.seed, size: o.size, valSize: o.valSize, valSeed: o.valSeed,
        canvas: o.canvas, minDigits: o.minDigits, maxDigits: o.maxDigits, threshold: o.threshold, maxOverlap: compose.maxOverlap,
      },
      readItems: (set) => readMnist(set === 'train' ? 'train' : 'test'),
      composite: (digits, rng) => compositeDigits(digits, rng, compose),
    });
  }
}

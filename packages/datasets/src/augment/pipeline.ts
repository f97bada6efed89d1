import { ConfigError, SssegError, validateOptions, type Augmentation, type ComponentClass, type Dataset, type Rng, type Sample } from '@ssseg/core';
import { CutMixBox } from './cutmix';
import { HorizontalFlip, RandomCrop, RandomRescale } from './geometric';
import { ColorJitter, GaussianBlur, RandomGrayscale } from './photometric';

/** The augmentations this package provides, by their config `type`. */
export const BUILTIN_AUGMENTATIONS: Readonly<Record<string, ComponentClass<Augmentation>>> = Object.fromEntries(
  [RandomRescale, RandomCrop, HorizontalFlip, ColorJitter, RandomGrayscale, GaussianBlur, CutMixBox].map((cls) => [cls.type, cls]),
);

export interface AugmentationConfig {
  type: string;
  [option: string]: unknown;
}

/** Applies its augmentations in order, each drawing from the same generator. */
export class AugmentationPipeline implements Augmentation {
  readonly type = 'pipeline';
  constructor(readonly steps: readonly Augmentation[]) {}
  apply(sample: Sample, rng: Rng): Sample {
    let out = sample;
    for (const step of this.steps) out = step.apply(out, rng);
    return out;
  }
}

/** Builds one augmentation from its config; the plugin host's `build` fits here for third-party types. */
export type BuildAugmentation = (config: AugmentationConfig, configPath: string) => Augmentation;

/** Builds the built-in augmentations, validating options against each class's schema. */
export const buildBuiltinAugmentation: BuildAugmentation = (config, configPath) => {
  const cls = BUILTIN_AUGMENTATIONS[config.type];
  if (!cls) {
    throw new ConfigError(`unknown Augmentation type '${config.type}'. Known Augmentation types: ${Object.keys(BUILTIN_AUGMENTATIONS).join(', ')}`, `${configPath}.type`);
  }
  const { type: _type, ...options } = config;
  return new cls(validateOptions(cls.options, options, configPath, `Augmentation '${config.type}'`));
};

/** A pipeline from a config list such as `augmentations.weak: [{ type: 'random-rescale' }, ...]`. */
export function buildAugmentations(
  configs: readonly AugmentationConfig[],
  configPath = 'augmentations',
  build: BuildAugmentation = buildBuiltinAugmentation,
): AugmentationPipeline {
  return new AugmentationPipeline(configs.map((c, i) => build(c, `${configPath}[${i}]`)));
}

/** UniMatch's weak pipeline: rescale 0.5-2.0, crop to cropSize with ignore padding, flip. */
export function defaultWeakConfig(cropSize: number): AugmentationConfig[] {
  return [
    { type: 'random-rescale', minScale: 0.5, maxScale: 2.0 },
    { type: 'random-crop', size: cropSize },
    { type: 'horizontal-flip', p: 0.5 },
  ];
}

/** UniMatch's strong pipeline, applied to the weak view: colour jitter, grey, blur, CutMix box. */
export function defaultStrongConfig(): AugmentationConfig[] {
  return [
    { type: 'color-jitter', brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.25, p: 0.8 },
    { type: 'grayscale', p: 0.2 },
    { type: 'gaussian-blur', p: 0.5, sigmaMin: 0.1, sigmaMax: 2.0 },
    { type: 'cutmix-box', p: 0.5, minArea: 0.02, maxArea: 0.4, minAspect: 0.3, maxAspect: 1 / 0.3 },
  ];
}

export function defaultWeakPipeline(cropSize: number): AugmentationPipeline {
  return buildAugmentations(defaultWeakConfig(cropSize), 'augmentations.weak');
}

export function defaultStrongPipeline(): AugmentationPipeline {
  return buildAugmentations(defaultStrongConfig(), 'augmentations.strong');
}

/**
 * The weak pipeline for a dataset when the config names none: the dataset's own choice if it has
 * one, else UniMatch's at `cropSize` (default the dataset's).
 */
export function defaultWeakFor(dataset: Dataset, cropSize = dataset.cropSize): AugmentationPipeline {
  if (dataset.weakAugmentations) return buildAugmentations(dataset.weakAugmentations(), `data (${dataset.type}'s default weak augmentations)`);
  if (!cropSize) throw new SssegError(`dataset ${dataset.type} names no cropSize: give the loader cropSize or a weak pipeline`);
  return defaultWeakPipeline(cropSize);
}

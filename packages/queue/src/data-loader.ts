import { Augmentation, type AssembledRun, type PluginHost } from '@ssseg/core';
import { buildAugmentations, createLoader, type AugmentationConfig } from '@ssseg/datasets';
import type { RunLoader } from '@ssseg/cli';

/**
 * The CLI's run data loader (packages/cli/src/run/data-loader.ts, which @ssseg/cli does not
 * export yet): built the same way, so a queued run reads the same batches as a local one.
 */
export function runDataLoader(host: PluginHost) {
  return (run: AssembledRun): RunLoader => {
    const { config, method } = run;
    const pipeline = (list: AugmentationConfig[] | undefined, name: 'weak' | 'strong') =>
      list && buildAugmentations(list, `augmentations.${name}`, (c, path) => host.build(Augmentation, c, path));
    return createLoader({
      dataset: run.dataset,
      batchSize: config.train.batchSize,
      unlabelledBatchSize: config.train.unlabelledBatchSize,
      strongViews: method.strongViews,
      useUnlabelled: method.usesUnlabelled,
      weak: pipeline(config.augmentations.weak as AugmentationConfig[] | undefined, 'weak'),
      strong: pipeline(config.augmentations.strong as AugmentationConfig[] | undefined, 'strong'),
      rng: run.rng,
    });
  };
}

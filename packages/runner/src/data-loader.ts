import { Augmentation, type AssembledRun, type PluginHost, type RunLoader } from '@ssseg/core';
import { buildAugmentations, createLoader, type AugmentationConfig } from '@ssseg/datasets';

/**
 * The data loader a run's config and method call for: unlabelled batches with as many strong
 * views as the method uses, augmentation pipelines from the config (built through the plugin
 * host, so third-party augmentations work) or the datasets package's defaults.
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

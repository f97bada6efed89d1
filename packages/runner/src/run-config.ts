import {
  Augmentation, Dataset, Hook, LrSchedule, Method, Optimizer, Regularizer, SegmentationModel, datasetClassCount,
  type PluginHost, type RunConfig, type ComponentConfig,
} from '@ssseg/core';
import { withRunDefaults } from './assemble';
import type { ServiceIdentifier } from 'inversify';
import { optimizationConfigs } from './optimization';
import { configuredHooks } from './run-hooks';

/** The config's `hooks:` with each listed hook's type and options as its schema fills them in. */
function resolveHooks(host: PluginHost, config: RunConfig, source: string): RunConfig['hooks'] {
  const configured = new Map(configuredHooks(host, config, source).map((h) => [h.name, h]));
  return Object.fromEntries(Object.entries(config.hooks ?? {}).map(([name, override]) => {
    const hook = configured.get(name);
    if (override === false || !hook) return [name, override];
    const { type } = hook.component;
    const options = host.parseOptions(host.lookup(Hook, type, hook.path), hook.component, hook.path);
    return [name, { type, ...(override.priority === undefined ? {} : { priority: override.priority }), ...options }];
  }));
}

/**
 * The run config with each component's options validated by its own schema and defaults
 * filled in, so `config print` shows exactly what a run would use.
 */
export function resolveRunConfig(host: PluginHost, config: RunConfig, source: string): RunConfig {
  const resolve = (token: ServiceIdentifier<unknown>, cfg: ComponentConfig, path: string): ComponentConfig => {
    const component = host.lookup(token, cfg.type, `${source}: ${path}`);
    return { type: cfg.type, ...host.parseOptions(component, cfg, `${source}: ${path}`) } as ComponentConfig;
  };
  const dataConfig = withRunDefaults(host, Dataset, config.data, { seed: config.train.seed });
  const datasetClasses = () => datasetClassCount(host, dataConfig, `${source}: data`);
  const augment = (list: ComponentConfig[] | undefined, name: string) =>
    list?.map((a, i) => resolve(Augmentation, a, `augmentations.${name}[${i}]`));
  const optimization = optimizationConfigs(host, config.train);
  resolve(LrSchedule, optimization.schedule, 'train.lrSchedule'); // checked: its options are train.lrPower
  return {
    ...config,
    method: resolve(Method, config.method, 'method'),
    regularizers: config.regularizers.map((r, i) => resolve(Regularizer, r, `regularizers[${i}]`)),
    // the model's class count and seed default to the dataset's and the run's, as a run builds it
    model: resolve(SegmentationModel, withRunDefaults(host, SegmentationModel, config.model, { numClasses: datasetClasses(), seed: config.train.seed }), 'model'),
    data: resolve(Dataset, dataConfig, 'data'),
    augmentations: { weak: augment(config.augmentations.weak, 'weak'), strong: augment(config.augmentations.strong, 'strong') },
    train: {
      ...config.train,
      optimizer: { ...resolve(Optimizer, optimization.optimizer, 'train.optimizer'), headLrMultiplier: config.train.optimizer.headLrMultiplier },
    },
    hooks: config.hooks && resolveHooks(host, config, source),
  };
}

/**
 * Resolves every run of a matrix as its run would (each component's options by its schema)
 * before any trains or is queued: a mistake in the last variant stops the command at once
 * instead of hours into the matrix. Errors name the file, the run and the config path.
 */
export function checkRunConfigs(host: PluginHost, runs: readonly { id: string; config: RunConfig }[], file: string): void {
  for (const run of runs) resolveRunConfig(host, run.config, `${file}: ${run.id}`);
}

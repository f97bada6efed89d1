import type { ServiceIdentifier } from 'inversify';
import {
  ConfigError, Dataset, Method, PseudoLabeler, Regularizer, Rng, RunConfig, RunRegularizers, RunRng, SegmentationModel, TeacherStrategy,
  type AssembledRun, type ComponentConfig, type PluginHost,
} from '@ssseg/core';

/**
 * A component config with run-wide defaults (seed, class count) added for the keys the
 * component's options schema declares, and only where the config leaves them out.
 */
export function withRunDefaults(
  host: PluginHost,
  token: ServiceIdentifier<unknown>,
  config: ComponentConfig,
  defaults: Record<string, unknown>,
): ComponentConfig {
  const known = host.components(token).find((c) => c.type === config.type);
  const shape = (known?.implementation.options as { shape?: Record<string, unknown> } | undefined)?.shape;
  const accepted = Object.fromEntries(Object.entries(defaults).filter(([key]) => !shape || key in shape));
  return { ...accepted, ...config } as ComponentConfig;
}

/**
 * Builds a run's components from a validated config, by `type`, through the plugin host:
 * dataset, model (its class count and seed defaulting to the dataset's and the run's), the
 * regularizers, the teacher and pseudo-labeler a method's options name, then the method.
 * Config paths in errors are prefixed with `source`.
 */
export function assembleRun(host: PluginHost, config: RunConfig, source = 'config'): AssembledRun {
  const at = (path: string) => `${source}: ${path}`;
  const rng = Rng.fromSeed(config.train.seed);
  const dataset = host.build(Dataset, withRunDefaults(host, Dataset, config.data, { seed: config.train.seed }), at('data'));
  const modelDefaults = { numClasses: dataset.numClasses, seed: config.train.seed };
  const model = host.build(SegmentationModel, withRunDefaults(host, SegmentationModel, config.model, modelDefaults), at('model'));
  if (model.numClasses !== dataset.numClasses) {
    throw new Error(`${at('model.numClasses')}: the model predicts ${model.numClasses} classes, the dataset has ${dataset.numClasses}`);
  }
  const scope = host.createScope();
  scope.bind(RunConfig).toConstantValue(config);
  scope.bind(RunRng).toConstantValue(rng);
  scope.bind(SegmentationModel).toConstantValue(model);
  const regularizers = config.regularizers.map((r, i) => host.build(Regularizer, r, at(`regularizers[${i}]`), scope));
  scope.bind(RunRegularizers).toConstantValue(regularizers);

  const methodOptions = host.parseOptions(host.lookup(Method, config.method.type, at('method')), config.method, at('method'));
  let teacher: TeacherStrategy | undefined;
  if (methodOptions.teacher) {
    teacher = host.build(TeacherStrategy, methodOptions.teacher, at('method.teacher'), scope);
    scope.bind(TeacherStrategy).toConstantValue(teacher);
  }
  if (methodOptions.pseudoLabeler) {
    scope.bind(PseudoLabeler).toConstantValue(host.build(PseudoLabeler, methodOptions.pseudoLabeler, at('method.pseudoLabeler'), scope));
  }
  const method = host.build(Method, config.method, at('method'), scope);
  if (!method.usesUnlabelled && regularizers.length) {
    throw new ConfigError(
      `method '${config.method.type}' has no unlabelled term for a regularizer to act on; remove regularizers or use a teacher-student method`,
      at('regularizers'),
    );
  }
  return { config, dataset, model, method, regularizers, rng, teacher, scope };
}

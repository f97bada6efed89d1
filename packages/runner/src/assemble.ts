import type { ServiceIdentifier } from 'inversify';
import {
  ConfigError, Dataset, Method, ModelFactory, PseudoLabeler, Regularizer, Rng, RunConfig, RunRegularizers, RunRng, SegmentationModel, TeacherStrategy,
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
  const model = host.build(SegmentationModel, withRunDefaults(host, SegmentationModel, config.model, { numClasses: dataset.numClasses, seed: config.train.seed }), at('model'));
  if (model.numClasses !== dataset.numClasses) {
    throw new Error(`${at('model.numClasses')}: the model predicts ${model.numClasses} classes, the dataset has ${dataset.numClasses}`);
  }
  const scope = host.createScope();
  scope.bind(RunConfig).toConstantValue(config);
  scope.bind(RunRng).toConstantValue(rng);
  scope.bind(SegmentationModel).toConstantValue(model);
  scope.bind(ModelFactory).toConstantValue(anotherModel(host, config, dataset.numClasses, at('model')));
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

/**
 * Builds further networks of the run's model config, each from the model's seed (the config's, else
 * the run's) plus an offset, so that they start from other weights than the student.
 */
function anotherModel(host: PluginHost, config: RunConfig, numClasses: number, path: string): ModelFactory {
  return (seedOffset) => {
    if (!Number.isInteger(seedOffset) || seedOffset < 1) throw new Error(`another network's seed offset must be a positive integer, got ${seedOffset}`);
    const known = host.components(SegmentationModel).find((c) => c.type === config.model.type);
    const shape = (known?.implementation.options as { shape?: Record<string, unknown> } | undefined)?.shape;
    if (shape && !('seed' in shape)) {
      throw new ConfigError(`model '${config.model.type}' has no 'seed' option, so a second network would start from the same weights as the first`, path);
    }
    const seed = (typeof config.model.seed === 'number' ? config.model.seed : config.train.seed) + seedOffset;
    return host.build(SegmentationModel, { numClasses, ...config.model, seed } as ComponentConfig, path);
  };
}

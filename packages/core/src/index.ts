import 'reflect-metadata';

export * from './tokens';
export * from './rng';
export * from './errors';
export * from './plugin';
export * from './container';
export { ComponentConfig, OptimizerConfig, TrainConfig, EvalConfig, EngineConfig, RunConfigSchema, type RunConfigInput } from './config/schema';
export * from './config/load';
export * from './config/zod-errors';
export * from './metrics/miou';
export * from './optim/optimizer';
export * from './optim/sgd';
export * from './optim/adam';
export * from './optim/schedule';
export * from './trainer/hooks';
export * from './trainer/trainer';
export * from './tiny-model';
export * from './ops/stop-gradient';

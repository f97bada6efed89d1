import type { Container } from 'inversify';
import { LrSchedule, Optimizer, type ComponentConfig, type PluginHost, type RunConfig } from '@ssseg/core';
import { withRunDefaults } from './assemble';

/** The registry configs of `train.optimizer` (less the run's headLrMultiplier) and of `train.lrSchedule`. */
export function optimizationConfigs(host: PluginHost, train: RunConfig['train']): { optimizer: ComponentConfig; schedule: ComponentConfig } {
  const { headLrMultiplier: _head, ...optimizer } = train.optimizer;
  // the schedule is named by a string; `train.lrPower` goes to a schedule whose options take a power
  const schedule = withRunDefaults(host, LrSchedule, { type: train.lrSchedule }, { power: train.lrPower });
  return { optimizer: optimizer as ComponentConfig, schedule };
}

/** The run's optimizer and learning-rate schedule, built by type through the plugin host. */
export function buildOptimization(host: PluginHost, config: RunConfig, source: string, scope?: Container): { optimizer: Optimizer; schedule: LrSchedule } {
  const configs = optimizationConfigs(host, config.train);
  return {
    optimizer: host.build(Optimizer, configs.optimizer, `${source}: train.optimizer`, scope),
    schedule: host.build(LrSchedule, configs.schedule, `${source}: train.lrSchedule`, scope),
  };
}

import { initEngine } from '@ssseg/engine';
import type { PluginHost, RunConfig, RunLoaderFactory } from '@ssseg/core';
import { runDataLoader } from '../data-loader';
import { runnerPlugin } from '../plugin';
import { checkStepMemory } from './memory-check';
import type { StepMemoryEstimate } from './step-memory';

/**
 * The memory check a Runner makes when it starts, for a caller that checks every run of a matrix
 * before the first trains: the run's engine, the runner's components, then checkStepMemory.
 */
export async function checkRunMemory(
  config: RunConfig, options: { host: PluginHost; source: string; createLoader?: RunLoaderFactory },
): Promise<StepMemoryEstimate | undefined> {
  await initEngine({ backend: config.engine.backend, threads: config.engine.threads, verbose: false });
  options.host.load(runnerPlugin);
  return checkStepMemory(options.host, config, options.source, options.createLoader ?? runDataLoader(options.host));
}

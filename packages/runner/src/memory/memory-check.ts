import { SssegError, type PluginHost, type RunConfig, type RunLoaderFactory } from '@ssseg/core';
import { availableMemory } from './available-memory';
import { estimateStepMemory, type StepMemoryEstimate } from './step-memory';

/** Set to 1 to train without the memory check (an estimate that is wrong for some model, or swap to spare). */
export const SKIP_MEMORY_CHECK = 'SSSEG_SKIP_MEMORY_CHECK';

export class InsufficientMemoryError extends SssegError {
  constructor(message: string, readonly estimate: StepMemoryEstimate, readonly available: number) {
    super(message);
    this.name = 'InsufficientMemoryError';
  }
}

export interface MemoryCheckOptions {
  /** Bytes the machine can give (default: MemAvailable). */
  available?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Refuses a run whose training steps would need more memory than the machine has free, before
 * anything is allocated for it, naming the keys that size it. Returns the estimate, or undefined
 * when SSSEG_SKIP_MEMORY_CHECK=1 turned the check off.
 */
export async function checkStepMemory(
  host: PluginHost, config: RunConfig, source: string, createLoader: RunLoaderFactory, options: MemoryCheckOptions = {},
): Promise<StepMemoryEstimate | undefined> {
  if ((options.env ?? process.env)[SKIP_MEMORY_CHECK] === '1') return undefined;
  const estimate = await estimateStepMemory(host, config, source, createLoader);
  const available = options.available ?? availableMemory();
  if (estimate.bytes > available) {
    throw new InsufficientMemoryError(`${source}: ${describe(config, estimate)}, but the machine has ${gb(available)} available: ${remedy(config, estimate)}`, estimate, available);
  }
  return estimate;
}

function describe(config: RunConfig, e: StepMemoryEstimate): string {
  const images = e.unlabelled ? `${e.labelled} labelled + ${e.unlabelled} unlabelled images` : `${e.labelled} images`;
  const p = e.parts;
  return `training needs about ${gb(e.bytes)} (estimated; ${images} a step at ${e.crop.height}x${e.crop.width}: activations and batch ${gb(p.activations)}, `
    + `data loader ${gb(p.loader)}, model ${gb(p.model)}, gradients ${gb(p.gradients)}, optimizer ${gb(p.optimizer)}, checkpoint ${gb(p.checkpoint)})`;
}

function remedy(config: RunConfig, e: StepMemoryEstimate): string {
  const batch = e.unlabelled ? 'train.batchSize or train.unlabelledBatchSize' : 'train.batchSize';
  const crop = config.augmentations.weak ? "the crop of augmentations.weak" : 'data.cropSize';
  return `lower ${batch}, ${crop} or the model's size (model.*); ${SKIP_MEMORY_CHECK}=1 skips this check`;
}

function gb(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

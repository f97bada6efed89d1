import { tf } from '@ssseg/engine';
import { disposeBatch, trainedVariables, type AssembledRun, type Optimizer, type PluginHost, type RunConfig, type RunLoaderFactory, type TrainBatch } from '@ssseg/core';
import { DEFAULT_PREFETCH } from '@ssseg/datasets';
import { assembleRun } from '../assemble';
import { buildOptimization } from '../optimization';
import { runParamGroups } from '../param-groups';
import { probeBatch, type ProbeSize } from './probe-batch';

/** Longest side of the probe steps' images: larger crops are measured at this size and scaled by their pixel count. */
export const PROBE_SIDE = 64;

export interface StepMemoryEstimate {
  /** Bytes a run of the config needs beyond what the process holds before it is built. */
  bytes: number;
  parts: {
    /** Model, teacher and whatever else building the run allocates as tensors. */
    model: number;
    /** Optimizer slots (Adam's moments, SGD's momentum), allocated at the first step. */
    optimizer: number;
    /** The gradients of one step. */
    gradients: number;
    /** Tensors a step holds: the batch, every activation kept for the backward pass, the method's extra passes, the backward's own. */
    activations: number;
    /** The data loader's sample arrays: the batches prepared ahead and the one being collated. */
    loader: number;
    /** The copy of the model's, teacher's and optimizer's state a checkpoint is serialised from. */
    checkpoint: number;
  };
  /** The training crop, read from one real batch. */
  crop: ProbeSize;
  labelled: number;
  unlabelled: number;
}

/** Tensor bytes of a probe step, above what was allocated before its batch was made. */
interface ProbeStep {
  peak: number;
  /** At the end of the forward passes: the batch and every tensor kept for the backward pass. */
  kept: number;
  gradients: number;
}

/**
 * Estimates the memory a run's training steps need, before the run is built. A throwaway copy of
 * the run (its dataset, model, teacher, method and regularizers, from the same config) takes probe
 * steps on batches of one and two images at a crop of at most PROBE_SIDE pixels a side, with tf's
 * byte count followed kernel by kernel: so every activation the backward pass keeps, each pass the
 * method makes (student and teacher) and what the regularizers add are measured, not assumed. The
 * per-image cost, fitted from those steps, is scaled to the configured batch and by the ratio of
 * the real crop's pixels to the probe's. Nothing of the run itself changes: the copy is disposed.
 */
export async function estimateStepMemory(host: PluginHost, config: RunConfig, source: string, createLoader: RunLoaderFactory): Promise<StepMemoryEstimate> {
  const before = tf.memory().numBytes;
  const run = assembleRun(host, config, source);
  const disposables: { dispose(): void }[] = [run.model, ...(run.teacher ? [run.teacher] : []), { dispose: () => run.method.dispose?.() }];
  try {
    const model = tf.memory().numBytes - before;
    const template = await oneImageBatch(run, createLoader);
    disposables.push({ dispose: () => disposeBatch(template) });
    const crop = { height: template.labelled.images.shape[1], width: template.labelled.images.shape[2] };
    const probe = { height: Math.min(crop.height, PROBE_SIDE), width: Math.min(crop.width, PROBE_SIDE) };
    const scale = (crop.height * crop.width) / (probe.height * probe.width);
    const { optimizer } = buildOptimization(host, config, source, run.scope);
    disposables.push(optimizer);
    const step = stepProbe(run, template, probe, optimizer);

    const beforeSlots = tf.memory().numBytes;
    await step(1, 1, true); // the first step allocates the optimizer's slots and anything else built lazily
    const slots = tf.memory().numBytes - beforeSlots;
    const one = await step(1, 1);
    // where a large model's gradients outweigh a probe's activations, the peak comes late in the
    // backward pass and grows less with the batch than what the forward passes keep
    const growth = (more: ProbeStep) => Math.max(0, more.peak - one.peak, more.kept - one.kept);
    const perLabelled = growth(await step(2, 1));
    const semi = template.unlabelled !== undefined;
    const perUnlabelled = semi ? growth(await step(1, 2)) : 0;
    const labelled = config.train.batchSize;
    const unlabelled = semi ? config.train.unlabelledBatchSize ?? labelled : 0;
    const fixed = Math.max(0, one.peak - one.gradients - perLabelled - perUnlabelled);
    const activations = fixed + scale * (labelled * perLabelled + unlabelled * perUnlabelled);
    const loader = loaderBytes(template, labelled, unlabelled);
    const parts = { model, optimizer: slots, gradients: one.gradients, activations, loader, checkpoint: model + slots };
    return { bytes: Object.values(parts).reduce((a, b) => a + b, 0), parts, crop, labelled, unlabelled };
  } finally {
    for (const d of disposables.reverse()) d.dispose();
  }
}

/** The first batch of a loader made for the run with one labelled and one unlabelled image per step. */
async function oneImageBatch(run: AssembledRun, createLoader: RunLoaderFactory): Promise<TrainBatch> {
  const train = { ...run.config.train, batchSize: 1, unlabelledBatchSize: 1 };
  const loader = createLoader({ ...run, config: { ...run.config, train } });
  const batches = loader.epoch(0)[Symbol.asyncIterator]();
  const first = await batches.next();
  await batches.return?.(undefined);
  if (first.done) throw new Error('the data loader gave no batch for a memory probe');
  return first.value;
}

/** A probe step: the method's losses and their gradients on a probe batch; with `apply`, also the optimizer's update. */
function stepProbe(run: AssembledRun, template: TrainBatch, size: ProbeSize, optimizer: Optimizer) {
  const variables = [...trainedVariables(run.model, run.method).entries()];
  const groups = runParamGroups(run.model, run.method, run.config.train.optimizer.headLrMultiplier);
  return async (labelled: number, unlabelled: number, apply = false): Promise<ProbeStep> => {
    const start = tf.memory().numBytes;
    let gradients = 0, kept = 0;
    const profile = await tf.profile(() => {
      const batch = probeBatch(template, size, labelled, unlabelled);
      const context = { step: 0, totalSteps: 1, epoch: 0, rng: run.rng, log: () => undefined };
      const { value, grads } = tf.variableGrads(() => {
        const { total } = run.method.losses(batch, context);
        kept = tf.memory().numBytes - start;
        return total;
      }, variables.map(([, v]) => v));
      disposeBatch(batch);
      gradients = Object.values(grads).reduce((s, g) => s + g.size * 4, 0);
      if (apply) {
        const byTfName = new Map(variables.map(([name, v]) => [v.name, name]));
        optimizer.apply(groups, new Map(Object.entries(grads).map(([n, g]) => [byTfName.get(n) ?? n, g])), 0);
      }
      tf.dispose([value, ...Object.values(grads)]);
      return [] as tf.Tensor[];
    });
    return { peak: profile.peakBytes - start, kept, gradients };
  };
}

/**
 * Host memory of the data loader's sample arrays (the template is at the real crop): one copy of
 * a batch's tensors for each batch it prepares ahead, the one awaited, and the arrays it is
 * collated into.
 */
function loaderBytes(template: TrainBatch, labelled: number, unlabelled: number): number {
  const perImage = (tensors: tf.Tensor[]) => tensors.reduce((s, t) => s + (t.size / t.shape[0]) * 4, 0);
  const u = template.unlabelled;
  const perLabelled = perImage([template.labelled.images, template.labelled.masks]);
  const perUnlabelled = u ? perImage([u.weak, ...u.strong, ...u.cutmixBoxes, u.ignore]) : 0;
  return (DEFAULT_PREFETCH + 2) * (labelled * perLabelled + unlabelled * perUnlabelled);
}

import { tf } from '@ssseg/engine';
import type { Hook, HookContext, Method, Optimizer, ParamGroup, SegmentationModel, StepContext, TrainBatch } from '../tokens';
import type { Rng } from '../rng';
import { callHooks, sortHooks } from './hooks';
import { createRunState, type RunState } from './run-state';
import { trainedVariables } from './trained-variables';

export interface TrainerOptions {
  method: Method;
  /** The student: the model whose trainable variables the optimizer updates (with the method's trained parts). */
  model: SegmentationModel;
  optimizer: Optimizer;
  paramGroups: ParamGroup[];
  /** Batches of one epoch, in order; the trainer disposes each batch's tensors after its step. */
  epochBatches(epoch: number): AsyncIterable<TrainBatch>;
  epochs: number;
  stepsPerEpoch: number;
  /** Learning rate at a global step. */
  learningRate(step: number): number;
  hooks?: Hook[];
  rng: Rng;
  /** Resume point: the first epoch and global step to run. */
  start?: { epoch: number; step: number };
  /** Stop after this many global steps (a run may end mid-epoch). */
  maxSteps?: number;
  /** Shared with hooks as ctx.state (default: a new run's). */
  state?: RunState;
}

export interface TrainerResult {
  steps: number;
  epochs: number;
  stoppedBecause?: string;
  /** True when a non-finite loss stopped the run (the step was not applied). */
  failed: boolean;
}

/**
 * The training loop: epochs of steps, each step the method's losses, their gradients with
 * respect to the student's variables and the method's trained parts', and one optimizer update,
 * with lifecycle hooks around.
 */
export class Trainer {
  private readonly hooks: Hook[];
  readonly totalSteps: number;

  constructor(private readonly options: TrainerOptions) {
    this.hooks = sortHooks(options.hooks ?? []);
    const planned = options.epochs * options.stepsPerEpoch;
    this.totalSteps = options.maxSteps ? Math.min(options.maxSteps, planned) : planned;
  }

  async run(): Promise<TrainerResult> {
    const o = this.options;
    let step = o.start?.step ?? 0;
    let stopReason: string | undefined;
    let failed = false;
    const ctx: HookContext = {
      epoch: o.start?.epoch ?? 0,
      step,
      totalSteps: this.totalSteps,
      logs: {},
      stop: (reason) => {
        stopReason ??= reason;
      },
      state: o.state ?? createRunState(),
    };
    await callHooks(this.hooks, 'beforeRun', ctx);
    for (let epoch = ctx.epoch; epoch < o.epochs && step < this.totalSteps && !stopReason; epoch++) {
      ctx.epoch = epoch;
      await callHooks(this.hooks, 'beforeEpoch', ctx);
      for await (const batch of o.epochBatches(epoch)) {
        ctx.step = step;
        await callHooks(this.hooks, 'beforeStep', ctx);
        const logs = this.step(batch, { step, totalSteps: this.totalSteps, epoch, rng: o.rng, log: () => undefined });
        disposeBatch(batch);
        ctx.logs = logs;
        if (!Number.isFinite(logs.loss)) {
          failed = true;
          ctx.stop(`non-finite loss (${logs.loss}) at step ${step}, epoch ${epoch}: the step was not applied`);
          break;
        }
        step++;
        ctx.step = step;
        await callHooks(this.hooks, 'afterStep', ctx);
        if (stopReason || step >= this.totalSteps) break;
      }
      if (failed) break;
      await callHooks(this.hooks, 'afterEpoch', ctx);
    }
    ctx.state.failed = failed;
    await callHooks(this.hooks, 'afterRun', ctx);
    return { steps: step, epochs: ctx.epoch + 1, stoppedBecause: stopReason, failed };
  }

  /** One optimizer step; returns the loss terms and statistics as numbers. */
  private step(batch: TrainBatch, context: StepContext): Record<string, number> {
    const o = this.options;
    const stats: Record<string, number> = {};
    const stepContext: StepContext = { ...context, log: (name, value) => (stats[name] = value) };
    const variables = [...trainedVariables(o.model, o.method).entries()];
    const byTfName = new Map(variables.map(([name, v]) => [v.name, name]));
    let terms: Record<string, tf.Scalar> = {};
    const { value, grads } = tf.variableGrads(() => {
      const losses = o.method.losses(batch, stepContext);
      terms = Object.fromEntries(Object.entries(losses.terms).map(([k, t]) => [k, tf.keep(t)]));
      return losses.total;
    }, variables.map(([, v]) => v));
    const logs: Record<string, number> = { loss: value.dataSync()[0] };
    for (const [name, t] of Object.entries(terms)) {
      logs[`loss/${name}`] = t.dataSync()[0];
    }
    tf.dispose([value, ...Object.values(terms)]);
    const lr = o.learningRate(context.step);
    if (Number.isFinite(logs.loss)) {
      const named = new Map<string, tf.Tensor>();
      for (const [tfName, g] of Object.entries(grads)) named.set(byTfName.get(tfName) ?? tfName, g);
      o.optimizer.apply(o.paramGroups, named, lr);
      o.method.afterStep(stepContext);
    }
    tf.dispose(Object.values(grads));
    return { ...logs, lr, ...stats };
  }
}

export function disposeBatch(batch: TrainBatch): void {
  const u = batch.unlabelled;
  tf.dispose([batch.labelled.images, batch.labelled.masks]);
  if (u) tf.dispose([u.weak, ...u.strong, ...u.cutmixBoxes, u.ignore]);
}

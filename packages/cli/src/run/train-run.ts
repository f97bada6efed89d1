import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine } from '@ssseg/engine';
import {
  Adam, EpochActionHook, MetricsWriter, NonFiniteCheckpointError, SssegError, StepActionHook, Sgd, StepLogHook, Trainer, assembleRun,
  evaluate, loadCheckpoint, lockFolder, pausePoint, polyLr, saveCheckpoint, writeFileAtomic,
  type Hook, type HookContext, type Optimizer, type PluginHost, type RunConfig, type RunPosition,
} from '@ssseg/core';
import { GALLERY_FOLDER } from '@ssseg/report';
import { createHost } from '../host';
import { GalleryRecorder } from './gallery-recorder';
import { SignalInterruptHook } from './interrupt';
import { paramGroups } from './param-groups';
import { ProgressHook } from './progress';
import { RUN_FILES, decideResume, type ExistingRun } from './run-folder';
import type { RunLoaderFactory } from './run-loader';

export { RUN_FILES, type ExistingRun } from './run-folder';

export interface TrainRunOptions {
  config: RunConfig;
  /** Where the config came from, for error messages. */
  source: string;
  outDir: string;
  /**
   * What to do with a run already in `outDir` (default 'refuse'); `true` is 'resume'. Whatever
   * is chosen, the folder is locked for the run's duration: a second writer fails at once.
   */
  resume?: boolean | ExistingRun;
  host?: PluginHost;
  createLoader: RunLoaderFactory;
  /** Prefix of progress lines; progress goes to stderr. Set `quiet` to silence it. */
  label?: string;
  quiet?: boolean;
  /** Stop (as an interruption would) after this many optimizer steps, keeping the schedule of the full run. */
  stopAfterSteps?: number;
  /** On SIGINT/SIGTERM, finish the step, write the checkpoint and stop (the CLI's commands). */
  stopOnSignals?: boolean;
  /** Who holds the folder's lock, as a second writer is told (default 'ssseg train'). */
  lockPurpose?: string;
  /** More lifecycle hooks (e.g. TensorBoard logging); each evaluation is in ctx.state.evaluation for them. */
  hooks?: Hook[];
}

export interface TrainRunResult {
  outDir: string;
  steps: number;
  finalMiou: number | null;
  bestMiou: number | null;
  failed: boolean;
  stoppedBecause?: string;
  /** The signal (or 'stopAfterSteps') that stopped the run early; its checkpoint was written. */
  interrupted?: string;
  /** The step this run continued from, when it resumed. */
  resumedFrom: number | null;
  /** The newest checkpoint on disk (all finite), or null if none was written. */
  lastCheckpoint: string | null;
  wallSeconds: number;
}

/**
 * One training run from a validated config: builds the components through the plugin host,
 * trains with evaluation every N epochs (or steps) and checkpoints at every evaluation, every
 * `train.checkpointEverySteps` steps and on interruption; writes config.yaml, metrics.jsonl,
 * last.ckpt, best.ckpt and, when it ends normally, DONE. Resuming continues from last.ckpt with
 * the same weights, optimizer state, RNG state and data position, so the run ends as it would have
 * uninterrupted. A run whose loss or state stops being finite fails without writing it.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const lock = lockFolder(options.outDir, options.lockPurpose ?? 'ssseg train', {
    onTakeOver: (message) => process.stderr.write(`${message}\n`),
  });
  try {
    return await trainLocked(options);
  } finally {
    lock.release();
  }
}

async function trainLocked(options: TrainRunOptions): Promise<TrainRunResult> {
  const started = Date.now();
  const { config, outDir } = options;
  const file = (name: keyof typeof RUN_FILES) => path.join(outDir, RUN_FILES[name]);
  const existing: ExistingRun = options.resume === true ? 'resume' : options.resume || 'refuse';
  const resume = decideResume(outDir, existing, options.source);
  await initEngine({ backend: config.engine.backend, threads: config.engine.threads, verbose: !options.quiet });
  const host = options.host ?? createHost({ plugins: config.plugins });
  const run = assembleRun(host, config, options.source);
  const loader = options.createLoader(run);
  const optimizer = createOptimizer(config);
  const groups = paramGroups(run.model, config.train.optimizer.headLrMultiplier);
  const teacherModel = run.teacher && run.teacher.model() !== run.model ? run.teacher.model() : undefined;
  const parts = { model: run.model, teacher: teacherModel, optimizer };
  const dispose = () => {
    run.teacher?.dispose();
    run.model.dispose();
    optimizer.dispose();
  };

  let position: RunPosition = { step: 0, epoch: 0, rng: run.rng.state(), loader: loader.state(), bestMiou: null, lastMiou: null };
  let lastCheckpoint: string | null = null;
  try {
    if (resume) {
      // read before anything in the folder changes: a checkpoint that does not load leaves it as it was
      position = loadCheckpoint(file('last'), parts).position;
      run.rng.restore(position.rng);
      loader.restore(position.loader);
      lastCheckpoint = file('last');
    }
  } catch (error) {
    dispose();
    if (error instanceof SssegError) throw error;
    throw new SssegError(`cannot resume from this checkpoint, so nothing was changed: ${(error as Error).message}`, file('last'));
  }
  removeTemporaryFiles(outDir);
  const writer = new MetricsWriter(file('metrics'));
  if (resume) {
    writer.truncateAfter(position.step);
  } else {
    for (const name of ['metrics', 'last', 'best', 'done'] as const) fs.rmSync(file(name), { force: true });
    fs.rmSync(path.join(outDir, GALLERY_FOLDER), { recursive: true, force: true });
  }
  writeFileAtomic(file('config'), YAML.stringify(config));

  const gallery = new GalleryRecorder(outDir, run.dataset.classNames, config.eval.galleryImages, resume ? position.step : undefined);
  let bestMiou = position.bestMiou;
  let finalMiou: number | null = position.lastMiou ?? null;
  let improvedSinceCheckpoint = false;
  let checkpointedAt = resume ? position.step : -1;
  const evaluateNow = async (ctx: HookContext) => {
    const result = await evaluate(run.method.evalModel(), run.dataset.validation(), {
      numClasses: run.dataset.numClasses,
      mode: config.eval.mode,
      cropSize: config.eval.cropSize,
      stride: config.eval.stride,
      toInput: (s) => loader.toInput(s),
      onPrediction: (i, sample, predicted) => gallery.observe(i, sample, predicted, ctx.step),
    });
    gallery.finish(ctx.step);
    finalMiou = result.miou;
    if (bestMiou === null || result.miou > bestMiou) {
      bestMiou = result.miou;
      improvedSinceCheckpoint = true;
    }
    // class names travel with the IoUs, so a report written from the folder alone can label them
    writer.write({ event: 'eval', step: ctx.step, epoch: ctx.epoch, time: Date.now(), ...result, bestMiou, classNames: [...run.dataset.classNames] });
    ctx.state.evaluation = { step: ctx.step, miou: result.miou, iou: result.iou, classNames: run.dataset.classNames };
    pausePoint(`after-eval:${ctx.step}`);
    if (!options.quiet) process.stderr.write(`${options.label ?? 'train'} eval step ${ctx.step}: mIoU ${(result.miou * 100).toFixed(2)}\n`);
  };
  const checkpointNow = (ctx: HookContext) => {
    if (checkpointedAt === ctx.step) return;
    const at: RunPosition = {
      step: ctx.step,
      // a run cut mid-epoch resumes inside that epoch
      epoch: ctx.step % loader.stepsPerEpoch === 0 ? ctx.epoch + 1 : ctx.epoch,
      rng: run.rng.state(),
      loader: loader.state(),
      bestMiou,
      lastMiou: finalMiou,
    };
    try {
      // best before last: a kill between the two leaves last.ckpt older, and the resumed run
      // evaluates that step again and rewrites best.ckpt, so DONE, best and last always agree
      if (improvedSinceCheckpoint) saveCheckpoint(file('best'), parts, at, { config, miou: bestMiou });
      saveCheckpoint(file('last'), parts, at, { config });
    } catch (error) {
      if (!(error instanceof NonFiniteCheckpointError)) throw error;
      ctx.state.diverged = error.message;
      ctx.stop(`the run diverged by step ${ctx.step}: ${error.tensor} holds ${error.value}, so ${error.file} was not written`);
      return;
    }
    improvedSinceCheckpoint = false;
    checkpointedAt = ctx.step;
    lastCheckpoint = file('last');
  };
  // every N epochs, or every N steps when train.evalEverySteps is set; checkpoints follow evaluations
  const periodic = (type: string, priority: number, everyEpochs: number, action: (ctx: HookContext) => Promise<void> | void, onInterrupt = false) =>
    config.train.evalEverySteps
      ? new StepActionHook(type, priority, config.train.evalEverySteps, action, onInterrupt)
      : new EpochActionHook(type, priority, everyEpochs, action, onInterrupt);
  const hooks: Hook[] = [
    new StepLogHook(writer, loader.imagesPerStep),
    periodic('eval', 70, config.train.evalEvery, evaluateNow),
    periodic('checkpoint', 90, config.train.checkpointEvery, checkpointNow, true),
    new StepActionHook('step-checkpoint', 91, config.train.checkpointEverySteps, checkpointNow, true),
    { type: 'test-pause', priority: 100, afterStep: (ctx) => pausePoint(`after-step:${ctx.step}`) },
  ];
  if (!options.quiet) hooks.push(new ProgressHook(options.label ?? 'train'));
  hooks.push(...(options.hooks ?? []));
  const signals = options.stopOnSignals ? new SignalInterruptHook(options.label ?? 'train') : undefined;
  if (signals) hooks.push(signals);
  const stopAt = options.stopAfterSteps;
  if (stopAt !== undefined) {
    hooks.push({
      type: 'stop-after-steps',
      priority: 0,
      afterStep: (ctx) => {
        if (ctx.step < stopAt) return;
        ctx.state.interrupted = 'stopAfterSteps';
        ctx.stop(`interrupted after ${stopAt} steps`);
      },
    });
  }
  const state: Record<string, unknown> = {};
  const trainer: Trainer = new Trainer({
    method: run.method,
    model: run.model,
    optimizer,
    paramGroups: groups,
    epochBatches: (epoch) => loader.epoch(epoch),
    epochs: config.train.epochs,
    stepsPerEpoch: loader.stepsPerEpoch,
    maxSteps: config.train.maxSteps,
    learningRate: (step): number =>
      config.train.lrSchedule === 'poly' ? polyLr(config.train.lr, step, trainer.totalSteps, config.train.lrPower) : config.train.lr,
    hooks,
    rng: run.rng,
    start: { epoch: position.epoch, step: position.step },
    state,
  });
  try {
    const result = await trainer.run();
    const failed = result.failed || state.diverged !== undefined;
    const interrupted = failed ? undefined : (state.interrupted as string | undefined);
    const wallSeconds = (Date.now() - started) / 1000;
    writer.write({
      event: 'end', step: result.steps, epoch: result.epochs, time: Date.now(), wallSeconds, finalMiou, bestMiou,
      failed, stoppedBecause: result.stoppedBecause ?? null,
    });
    if (!failed && !interrupted) {
      writeFileAtomic(file('done'), JSON.stringify({ steps: result.steps, finalMiou, bestMiou, wallSeconds }, null, 2) + '\n');
    }
    return {
      outDir, steps: result.steps, finalMiou, bestMiou, failed, stoppedBecause: result.stoppedBecause, interrupted,
      resumedFrom: resume ? position.step : null, lastCheckpoint, wallSeconds,
    };
  } finally {
    signals?.dispose();
    dispose();
  }
}

/** Temporary files of atomic writes a killed process left (the lock says no one else writes here). */
function removeTemporaryFiles(dir: string): void {
  const names = new Set(Object.values(RUN_FILES));
  for (const entry of fs.readdirSync(dir)) {
    const target = /^(.*)\.\d+\.\d+\.tmp$/.exec(entry)?.[1];
    if (target && names.has(target)) fs.rmSync(path.join(dir, entry), { force: true });
  }
}

function createOptimizer(config: RunConfig): Optimizer {
  const o = config.train.optimizer;
  return o.type === 'sgd' ? new Sgd({ momentum: o.momentum, weightDecay: o.weightDecay }) : new Adam({ weightDecay: o.weightDecay });
}

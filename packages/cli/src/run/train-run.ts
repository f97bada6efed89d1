import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine } from '@ssseg/engine';
import {
  Adam, EpochActionHook, MetricsWriter, StepActionHook, Sgd, StepLogHook, Trainer, assembleRun, evaluate, loadCheckpoint, polyLr,
  saveCheckpoint, writeFileAtomic,
  type Hook, type HookContext, type Optimizer, type PluginHost, type RunConfig, type RunPosition,
} from '@ssseg/core';
import { createHost } from '../host';
import { GalleryRecorder } from './gallery-recorder';
import { paramGroups } from './param-groups';
import { ProgressHook } from './progress';
import type { RunLoaderFactory } from './run-loader';

export interface TrainRunOptions {
  config: RunConfig;
  /** Where the config came from, for error messages. */
  source: string;
  outDir: string;
  /** Continue from `outDir/last.ckpt` if it exists. */
  resume?: boolean;
  host?: PluginHost;
  createLoader: RunLoaderFactory;
  /** Prefix of progress lines; progress goes to stderr. Set `quiet` to silence it. */
  label?: string;
  quiet?: boolean;
  /** Stop (as an interruption would) after this many optimizer steps, keeping the schedule of the full run. */
  stopAfterSteps?: number;
}

export interface TrainRunResult {
  outDir: string;
  steps: number;
  finalMiou: number | null;
  bestMiou: number | null;
  failed: boolean;
  stoppedBecause?: string;
  wallSeconds: number;
}

export const RUN_FILES = { config: 'config.yaml', metrics: 'metrics.jsonl', last: 'last.ckpt', best: 'best.ckpt', done: 'DONE' };

/**
 * One training run from a validated config: builds the components through the plugin host,
 * trains with evaluation and checkpoints every N epochs, writes config.yaml, metrics.jsonl,
 * last.ckpt, best.ckpt and, when it ends normally, DONE. With `resume`, it continues from
 * last.ckpt with the same weights, optimizer state, RNG state and data position.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const started = Date.now();
  const { config, outDir } = options;
  const file = (name: keyof typeof RUN_FILES) => path.join(outDir, RUN_FILES[name]);
  await initEngine({ backend: config.engine.backend, threads: config.engine.threads, verbose: !options.quiet });
  const host = options.host ?? createHost({ plugins: config.plugins });
  const run = assembleRun(host, config, options.source);
  const loader = options.createLoader(run);
  const optimizer = createOptimizer(config);
  const groups = paramGroups(run.model, config.train.optimizer.headLrMultiplier);
  const teacherModel = run.teacher && run.teacher.model() !== run.model ? run.teacher.model() : undefined;
  const parts = { model: run.model, teacher: teacherModel, optimizer };

  fs.mkdirSync(outDir, { recursive: true });
  writeFileAtomic(file('config'), YAML.stringify(config));
  fs.rmSync(file('done'), { force: true });
  const writer = new MetricsWriter(file('metrics'));
  let position: RunPosition = { step: 0, epoch: 0, rng: run.rng.state(), loader: loader.state(), bestMiou: null };
  if (options.resume && fs.existsSync(file('last'))) {
    position = loadCheckpoint(file('last'), parts).position;
    run.rng.restore(position.rng);
    loader.restore(position.loader);
    writer.truncateAfter(position.step);
  } else {
    fs.rmSync(file('metrics'), { force: true });
  }

  const gallery = new GalleryRecorder(outDir, run.dataset.classNames, config.eval.galleryImages, options.resume ? position.step : undefined);
  let bestMiou = position.bestMiou;
  let finalMiou: number | null = null;
  const positionAt = (ctx: HookContext, epochEnded: boolean): RunPosition => ({
    step: ctx.step,
    epoch: epochEnded ? ctx.epoch + 1 : ctx.epoch,
    rng: run.rng.state(),
    loader: loader.state(),
    bestMiou,
  });
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
    const improved = bestMiou === null || result.miou > bestMiou;
    if (improved) bestMiou = result.miou;
    ctx.state.improved = improved;
    // class names travel with the IoUs, so a report written from the folder alone can label them
    writer.write({ event: 'eval', step: ctx.step, epoch: ctx.epoch, time: Date.now(), ...result, bestMiou, classNames: [...run.dataset.classNames] });
    if (!options.quiet) process.stderr.write(`${options.label ?? 'train'} eval step ${ctx.step}: mIoU ${(result.miou * 100).toFixed(2)}\n`);
  };
  // every N epochs, or every N steps when train.evalEverySteps is set (then checkpoints follow evaluations)
  const periodic = (type: string, priority: number, everyEpochs: number, action: (ctx: HookContext) => Promise<void> | void) =>
    config.train.evalEverySteps
      ? new StepActionHook(type, priority, config.train.evalEverySteps, action)
      : new EpochActionHook(type, priority, everyEpochs, action);
  const hooks: Hook[] = [
    new StepLogHook(writer, loader.imagesPerStep),
    periodic('eval', 70, config.train.evalEvery, evaluateNow),
    periodic('checkpoint', 90, config.train.checkpointEvery, (ctx) => {
      // a run cut mid-epoch (maxSteps) resumes inside that epoch
      const at = positionAt(ctx, ctx.step % loader.stepsPerEpoch === 0);
      saveCheckpoint(file('last'), parts, at, { config });
      if (ctx.state.improved) saveCheckpoint(file('best'), parts, at, { config, miou: bestMiou });
      ctx.state.improved = false;
    }),
  ];
  if (!options.quiet) hooks.push(new ProgressHook(options.label ?? 'train'));
  const stopAt = options.stopAfterSteps;
  if (stopAt !== undefined) {
    hooks.push({ type: 'interrupt', priority: 0, afterStep: (ctx) => (ctx.step >= stopAt ? ctx.stop(`interrupted after ${stopAt} steps`) : undefined) });
  }

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
  });
  const result = await trainer.run();
  const wallSeconds = (Date.now() - started) / 1000;
  writer.write({
    event: 'end', step: result.steps, epoch: result.epochs, time: Date.now(), wallSeconds, finalMiou, bestMiou,
    failed: result.failed, stoppedBecause: result.stoppedBecause ?? null,
  });
  if (!result.failed && stopAt === undefined) {
    writeFileAtomic(file('done'), JSON.stringify({ steps: result.steps, finalMiou, bestMiou, wallSeconds }, null, 2) + '\n');
  }
  run.teacher?.dispose();
  run.model.dispose();
  optimizer.dispose();
  return { outDir, steps: result.steps, finalMiou, bestMiou, failed: result.failed, stoppedBecause: result.stoppedBecause, wallSeconds };
}

function createOptimizer(config: RunConfig): Optimizer {
  const o = config.train.optimizer;
  return o.type === 'sgd' ? new Sgd({ momentum: o.momentum, weightDecay: o.weightDecay }) : new Adam({ weightDecay: o.weightDecay });
}

import { inject, injectable } from 'inversify';
import { HookPriority, PeriodicHook, componentType, evaluate, pausePoint, type EvaluationOptions, type HookContext, type HookSchedule, type RunConfig } from '@ssseg/core';
import { RunSession } from '../run-session';

/** Evaluation's schedule: every `train.evalEverySteps` steps when set, else every `train.evalEvery` epochs. */
export function evaluationSchedule(train: RunConfig['train'], everyEpochs: number): HookSchedule {
  return train.evalEverySteps ? { unit: 'step', every: train.evalEverySteps } : { unit: 'epoch', every: everyEpochs };
}

/** How the run evaluates: its eval config, the dataset's classes, the loader's normalisation. */
export function evaluationOptions({ run, config, loader }: RunSession): EvaluationOptions {
  return {
    numClasses: run.dataset.numClasses,
    mode: config.eval.mode,
    cropSize: config.eval.cropSize,
    stride: config.eval.stride,
    toInput: (s) => loader.toInput(s),
  };
}

/**
 * Evaluates the method's eval model on the validation set on the run's schedule and at its end;
 * logs the result (with class names, so a report needs the folder alone) and keeps the best.
 */
@injectable()
export class EvaluationHook extends PeriodicHook {
  static readonly type = 'evaluation';
  static summary = 'mIoU on the validation set on the run\'s schedule (train.evalEvery, train.evalEverySteps) and at its end';
  readonly type = componentType(this);
  readonly priority = HookPriority.LOW;

  constructor(@inject(RunSession) private readonly session: RunSession) {
    super(evaluationSchedule(session.config.train, session.config.train.evalEvery));
  }

  protected async action(ctx: HookContext): Promise<void> {
    const { run, state, metrics, presentation } = this.session;
    const result = await evaluate(run.method.evalModel(), run.dataset.validation(), evaluationOptions(this.session));
    state.finalMiou = result.miou;
    if (state.bestMiou === null || result.miou > state.bestMiou) {
      state.bestMiou = result.miou;
      state.improvedSinceCheckpoint = true;
    }
    const classNames = [...run.dataset.classNames];
    metrics.write({ event: 'eval', step: ctx.step, epoch: ctx.epoch, time: Date.now(), ...result, bestMiou: state.bestMiou, classNames });
    state.evaluation = { step: ctx.step, miou: result.miou, iou: result.iou, classNames };
    pausePoint(`after-eval:${ctx.step}`);
    if (!presentation.quiet) process.stderr.write(`${presentation.label} eval step ${ctx.step}: mIoU ${(result.miou * 100).toFixed(2)}\n`);
  }
}

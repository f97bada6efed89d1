import { inject, injectable } from 'inversify';
import { HookPriority, evaluate, type EvaluationRecord, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';
import { evaluationOptions } from './evaluation';
import { GalleryRecorder } from './gallery-recorder';

/**
 * After each evaluation, the predictions of the first `eval.galleryImages` validation images,
 * recorded for the dashboard, the report and TensorBoard (the same inference as the evaluation).
 */
@injectable()
export class GalleryHook implements Hook {
  readonly type = 'gallery';
  /** With the evaluation, after it (it was contributed first). */
  readonly priority = HookPriority.LOW;
  private readonly recorder: GalleryRecorder;
  private recordedAt = -1;

  constructor(@inject(RunSession) private readonly session: RunSession) {
    const { outDir, run, config, resumedAt } = session;
    this.recorder = new GalleryRecorder(outDir, run.dataset.classNames, config.eval.galleryImages, resumedAt ?? undefined, run.dataset.palette);
  }

  afterStep(ctx: HookContext): Promise<void> {
    return this.record(ctx);
  }

  afterEpoch(ctx: HookContext): Promise<void> {
    return this.record(ctx);
  }

  afterRun(ctx: HookContext): Promise<void> {
    return this.record(ctx);
  }

  private async record(ctx: HookContext): Promise<void> {
    const evaluation = ctx.state.evaluation as EvaluationRecord | undefined;
    const size = this.session.config.eval.galleryImages;
    if (!size || evaluation?.step !== ctx.step || this.recordedAt === ctx.step) return;
    this.recordedAt = ctx.step;
    const { run } = this.session;
    await evaluate(run.method.evalModel(), run.dataset.validation(), {
      ...evaluationOptions(this.session),
      limit: size,
      onPrediction: (i, sample, predicted) => this.recorder.observe(i, sample, predicted, ctx.step),
    });
    this.recorder.finish(ctx.step);
  }
}

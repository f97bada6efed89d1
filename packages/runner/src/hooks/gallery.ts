import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, HookPriority, componentType, evaluate, type Hook, type HookContext } from '@ssseg/core';
import { RunSession } from '../run-session';
import { evaluationOptions } from './evaluation';
import { GalleryRecorder } from './gallery-recorder';

const options = z.strictObject({
  /** Validation images whose predictions each evaluation records (default `eval.galleryImages`); 0 records none. */
  images: z.number().int().min(0).max(64).optional(),
});

/**
 * After each evaluation, the predictions of the first `images` validation images,
 * recorded for the dashboard, the report and TensorBoard (the same inference as the evaluation).
 */
@injectable()
export class GalleryHook implements Hook {
  static readonly type = 'gallery';
  static options = options;
  static summary = 'each evaluation\'s predictions on the first validation images, for ssseg serve, the report and TensorBoard';
  readonly type = componentType(this);
  /** With the evaluation, after it (it was contributed first). */
  readonly priority = HookPriority.LOW;
  private readonly recorder: GalleryRecorder;
  private readonly size: number;
  private recordedAt = -1;

  constructor(@inject(ComponentOptions) opts: ComponentOptions<typeof GalleryHook.options>, @inject(RunSession) private readonly session: RunSession) {
    const { outDir, run, config, resumedAt } = session;
    this.size = opts.images ?? config.eval.galleryImages;
    this.recorder = new GalleryRecorder(outDir, run.dataset.classNames, this.size, resumedAt ?? undefined, run.dataset.palette);
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
    const { evaluation } = ctx.state;
    const size = this.size;
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

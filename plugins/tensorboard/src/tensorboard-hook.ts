import * as fs from 'fs';
import * as path from 'path';
import { decode } from 'fast-png';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import {
  ComponentOptions, HookPriority, RunFolder, componentType, galleryFolder, readGalleryIndex, type Hook, type HookContext,
} from '@ssseg/core';
import { EventFileWriter } from './event-file-writer';

const options = z.strictObject({
  /** Where the event files go, relative to the run folder (or absolute). */
  logDir: z.string().min(1).default('tensorboard'),
});

/**
 * Logs a run to TensorBoard: every logged term, the learning rate and statistics of each step as
 * scalars, mIoU and per-class IoU at each evaluation, and the prediction gallery as images
 * (image and ground truth once, each evaluation's predictions at its step).
 */
@injectable()
export class TensorBoardHook implements Hook {
  static readonly type = 'tensorboard';
  static options = options;
  static summary = 'TensorBoard event files: every logged term, mIoU and per-class IoU, the prediction gallery';
  readonly type = componentType(this);
  /** After evaluation, gallery and checkpoints: sees the step's evaluation and its predictions. */
  readonly priority = HookPriority.LOWEST;
  private readonly logDir: string;
  private writer?: EventFileWriter;
  private loggedEvaluationAt = -1;
  private loggedInputs = false;

  constructor(@inject(ComponentOptions) opts: ComponentOptions<typeof TensorBoardHook.options>, @inject(RunFolder) private readonly runDir: string) {
    this.logDir = path.resolve(runDir, opts.logDir);
  }

  beforeRun(): void {
    this.writer = new EventFileWriter(this.logDir);
  }

  afterStep(ctx: HookContext): void {
    this.writer?.scalars(ctx.step, ctx.logs);
    this.logEvaluation(ctx);
  }

  afterRun(ctx: HookContext): void {
    this.logEvaluation(ctx);
    this.writer?.close();
    this.writer = undefined;
  }

  private logEvaluation(ctx: HookContext): void {
    const { evaluation } = ctx.state;
    if (!this.writer || !evaluation || evaluation.step === this.loggedEvaluationAt) return;
    this.loggedEvaluationAt = evaluation.step;
    const scalars: Record<string, number> = { 'eval/miou': evaluation.miou };
    evaluation.iou.forEach((iou, c) => (scalars[`eval/iou/${evaluation.classNames[c] ?? `class ${c}`}`] = iou));
    this.writer.scalars(evaluation.step, scalars);
    this.logGallery(evaluation.step);
    this.writer.flush();
  }

  private logGallery(step: number): void {
    const index = readGalleryIndex(this.runDir);
    const evaluation = index?.evaluations.find((e) => e.step === step);
    if (!index || !evaluation) return;
    const galleryDir = galleryFolder(this.runDir);
    const image = (tag: string, name: string) => {
      const png = fs.readFileSync(path.join(galleryDir, name));
      const { width, height, channels, palette } = decode(png);
      this.writer!.image(step, tag, png, { width, height, channels: palette ? 3 : (channels as 1 | 3 | 4) });
    };
    if (!this.loggedInputs) {
      index.images.forEach((entry, i) => {
        image(`gallery/${i}/image`, entry.image);
        image(`gallery/${i}/ground truth`, entry.truth);
      });
      this.loggedInputs = true;
    }
    evaluation.predictions.forEach((name, i) => image(`gallery/${i}/prediction`, name));
  }
}

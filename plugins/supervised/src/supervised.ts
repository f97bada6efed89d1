import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { SegmentationModel, type Method, type StepContext, type StepLosses, type TrainBatch } from '@ssseg/core';
import { crossEntropy } from '@ssseg/losses';

/** The baseline: cross-entropy on the labelled images only. */
@injectable()
export class Supervised implements Method {
  static options = z.strictObject({});
  static summary = 'labelled images only (the baseline)';
  readonly type = 'supervised';
  readonly usesUnlabelled = false;
  readonly strongViews = 0;

  constructor(@inject(SegmentationModel) private readonly student: SegmentationModel) {}

  evalModel(): SegmentationModel {
    return this.student;
  }

  losses(batch: TrainBatch, _context: StepContext): StepLosses {
    const { images, masks } = batch.labelled;
    const sup = crossEntropy(this.student.forward(images, { training: true }).logits, masks);
    return { total: sup, terms: { sup } };
  }

  afterStep(): void {}
}

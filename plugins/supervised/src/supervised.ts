import { z } from 'zod';
import { MethodBase, componentFromBase, type StepLosses, type TrainBatch } from '@ssseg/core';

/** The baseline: cross-entropy on the labelled images only. */
@componentFromBase()
export class Supervised extends MethodBase {
  static readonly type = 'supervised';
  static options = z.strictObject({});
  static summary = 'labelled images only (the baseline)';
  readonly usesUnlabelled = false;
  readonly strongViews = 0;

  losses(batch: TrainBatch): StepLosses {
    const sup = this.supervisedTerm(batch.labelled);
    return { total: sup, terms: { sup } };
  }
}

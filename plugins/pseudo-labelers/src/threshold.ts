import { inject, injectable } from 'inversify';
import { z } from 'zod';
import type { tf } from '@ssseg/engine';
import { componentType, ComponentOptions, type PseudoLabeler, type PseudoLabels } from '@ssseg/core';
import { confidenceLabels } from './confidence-labels';

const options = z.strictObject({
  /** Pixels whose teacher confidence is below this are not used. */
  confThreshold: z.number().min(0).max(1).default(0.95),
});

/** Hard pseudo-labels (argmax of the teacher) kept where the teacher is confident (FixMatch, UniMatch). */
@injectable()
export class ThresholdPseudoLabeler implements PseudoLabeler {
  static options = options;
  static summary = 'argmax labels where max softmax >= confThreshold';
  static readonly type = 'threshold';
  readonly type = componentType(this);

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof ThresholdPseudoLabeler.options>) {}

  label(teacherLogits: tf.Tensor4D): PseudoLabels {
    return confidenceLabels(teacherLogits, 1, this.opts.confThreshold);
  }
}

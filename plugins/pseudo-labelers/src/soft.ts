import { inject, injectable } from 'inversify';
import { z } from 'zod';
import type { tf } from '@ssseg/engine';
import { componentType, ComponentOptions, type PseudoLabeler, type PseudoLabels } from '@ssseg/core';
import { confidenceLabels } from './confidence-labels';

const options = z.strictObject({
  /** Softmax temperature applied to the teacher logits (< 1 sharpens). */
  temperature: z.number().positive().default(1),
  /** Confidence (after temperature) below which pixels are masked out; 0 keeps every pixel. */
  confThreshold: z.number().min(0).max(1).default(0),
});

/** Soft pseudo-labels: the teacher's tempered distribution, with its argmax as the hard label. */
@injectable()
export class SoftPseudoLabeler implements PseudoLabeler {
  static options = options;
  static summary = 'softmax(logits / temperature), optional confidence mask';
  static readonly type = 'soft';
  readonly type = componentType(this);

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof SoftPseudoLabeler.options>) {}

  label(teacherLogits: tf.Tensor4D): PseudoLabels {
    return confidenceLabels(teacherLogits, this.opts.temperature, this.opts.confThreshold);
  }
}

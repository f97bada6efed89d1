import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { componentType, ComponentOptions, followMovingAverage, type ForwardOptions, type ForwardResult, type SegmentationModel, type TeacherStrategy } from '@ssseg/core';
import { predictWithoutGradient } from './shared';

const options = z.strictObject({
  /** EMA decay; Mean Teacher uses 0.99 to 0.999. */
  decay: z.number().min(0).max(1).default(0.999),
  /** Ramp the decay as min(decay, (1 + t) / (10 + t)) so early teachers follow the student (Tarvainen & Valpola). */
  warmup: z.boolean().default(true),
});

/**
 * An exponential moving average of the student's weights (batch-norm statistics included),
 * updated after every optimizer step. Only the student receives gradients.
 */
@injectable()
export class EmaTeacher implements TeacherStrategy {
  static options = options;
  static summary = 'EMA copy of the student (Mean Teacher)';
  static readonly type = 'ema';
  readonly type = componentType(this);
  private teacher?: SegmentationModel;

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof EmaTeacher.options>) {}

  attach(student: SegmentationModel): void {
    this.teacher?.dispose();
    this.teacher = student.clone();
  }

  predict(x: tf.Tensor4D, options: Partial<ForwardOptions> = {}): ForwardResult {
    return predictWithoutGradient(this.model(), x, options);
  }

  decayAt(step: number): number {
    return this.opts.warmup ? Math.min(this.opts.decay, (1 + step) / (10 + step)) : this.opts.decay;
  }

  afterStep(student: SegmentationModel, step: number): void {
    followMovingAverage(this.model(), student, this.decayAt(step), 'EMA teacher');
  }

  model(): SegmentationModel {
    if (!this.teacher) throw new Error('EMA teacher used before attach(student)');
    return this.teacher;
  }

  dispose(): void {
    this.teacher?.dispose();
    this.teacher = undefined;
  }
}

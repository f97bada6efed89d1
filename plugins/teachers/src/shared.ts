import { injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { componentType, noGradient, type ForwardOptions, type ForwardResult, type SegmentationModel, type TeacherStrategy } from '@ssseg/core';

/** The student is its own teacher, predicting without gradient (FixMatch, UniMatch). */
@injectable()
export class SharedWeightsTeacher implements TeacherStrategy {
  static options = z.strictObject({});
  static summary = 'the student itself, eval mode, no gradient';
  static readonly type = 'shared';
  readonly type = componentType(this);
  private student?: SegmentationModel;

  attach(student: SegmentationModel): void {
    this.student = student;
  }

  predict(x: tf.Tensor4D, options: Partial<ForwardOptions> = {}): ForwardResult {
    return predictWithoutGradient(this.model(), x, options);
  }

  afterStep(): void {}

  model(): SegmentationModel {
    if (!this.student) throw new Error('teacher used before attach(student)');
    return this.student;
  }

  dispose(): void {}
}

/** Eval-mode forward computed with the gradient tape off: its outputs are constants to the step. */
export function predictWithoutGradient(model: SegmentationModel, x: tf.Tensor4D, options: Partial<ForwardOptions>): ForwardResult {
  return noGradient(() => tf.tidy(() => model.forward(x, { training: false, ...options }) as unknown as tf.TensorContainer)) as unknown as ForwardResult;
}

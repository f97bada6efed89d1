import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import {
  ComponentConfig, ComponentOptions, PseudoLabeler, RunRegularizers, SegmentationModel, TeacherStrategy,
  applyRegularizers, confidentShare, strongViews,
  type Method, type Regularizer, type StepContext, type StepLosses, type TrainBatch,
} from '@ssseg/core';
import { crossEntropy, pixelConsistency, unsupervisedCrossEntropy } from '@ssseg/losses';

const options = z.strictObject({
  teacher: ComponentConfig.default({ type: 'ema', decay: 0.999 }),
  pseudoLabeler: ComponentConfig.default({ type: 'threshold', confThreshold: 0.95 }),
  /** 'ce': cross-entropy to confident hard pseudo-labels; 'mse': squared error between probabilities. */
  consistency: z.enum(['ce', 'mse']).default('ce'),
  /** Evaluate the EMA teacher (the usual Mean Teacher report) or the student. */
  evaluate: z.enum(['teacher', 'student']).default('teacher'),
});

/**
 * Mean Teacher: an EMA of the student predicts on the weak view; the student matches it on a
 * strong view. Only the student gets gradients; the teacher follows after each step.
 */
@injectable()
export class MeanTeacher implements Method {
  static options = options;
  static summary = 'EMA teacher, consistency on a strong view';
  readonly type = 'mean-teacher';
  readonly usesUnlabelled = true;
  readonly strongViews = 1;
  private readonly opts: z.infer<typeof options>;

  constructor(
    @inject(SegmentationModel) private readonly student: SegmentationModel,
    @inject(TeacherStrategy) private readonly teacher: TeacherStrategy,
    @inject(PseudoLabeler) private readonly pseudoLabeler: PseudoLabeler,
    @inject(RunRegularizers) private readonly regularizers: Regularizer[],
    @inject(ComponentOptions) opts: Record<string, unknown>,
  ) {
    this.opts = opts as z.infer<typeof options>;
    teacher.attach(student);
  }

  evalModel(): SegmentationModel {
    return this.opts.evaluate === 'teacher' ? this.teacher.model() : this.student;
  }

  losses(batch: TrainBatch, context: StepContext): StepLosses {
    const { images, masks } = batch.labelled;
    const sup = crossEntropy(this.student.forward(images, { training: true }).logits, masks);
    const u = batch.unlabelled!;
    const weak = this.teacher.predict(u.weak).logits;
    const views = strongViews(this.student, this.pseudoLabeler, u, weak, this.strongViews);
    const [view] = views.targets;
    const unsup = this.opts.consistency === 'ce'
      ? unsupervisedCrossEntropy(view.studentLogits, view.pseudoLabels.labels, view.pseudoLabels.mask, view.ignore)
      : pixelConsistency(tf.softmax(view.studentLogits) as tf.Tensor4D, view.pseudoLabels.probs, view.ignore);
    context.log('confident', confidentShare(views.targets).dataSync()[0]);
    const reg = applyRegularizers(this.regularizers, views.contexts, weak, [u.weak.shape[1], u.weak.shape[2]], context, unsup.div(2));
    return { total: sup.add(unsup).div(2).add(reg.total), terms: { sup, unsup, ...reg.terms } };
  }

  afterStep(context: StepContext): void {
    this.teacher.afterStep(this.student, context.step);
  }
}

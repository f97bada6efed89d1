import { inject, injectable } from 'inversify';
import { z } from 'zod';
import {
  ComponentConfig, ComponentOptions, PseudoLabeler, RunRegularizers, SegmentationModel, TeacherStrategy,
  applyRegularizers, confidentShare, strongViews,
  type Method, type Regularizer, type StepContext, type StepLosses, type TrainBatch,
} from '@ssseg/core';
import { crossEntropy, unsupervisedCrossEntropy } from '@ssseg/losses';

const options = z.strictObject({
  teacher: ComponentConfig.default({ type: 'shared' }),
  pseudoLabeler: ComponentConfig.default({ type: 'threshold', confThreshold: 0.95 }),
});

/**
 * FixMatch for segmentation (as in UniMatch's baseline): the student's own no-gradient
 * prediction on the weak view gives hard pseudo-labels where it is confident; the student
 * learns them on one strong (CutMix) view. Loss (Lx + Lu) / 2, plus any regularizers.
 */
@injectable()
export class FixMatch implements Method {
  static options = options;
  static summary = 'weak-to-strong pseudo-labels with a confidence threshold';
  readonly type: string = 'fixmatch';
  readonly usesUnlabelled = true;
  readonly strongViews = 1;

  constructor(
    @inject(SegmentationModel) protected readonly student: SegmentationModel,
    @inject(TeacherStrategy) protected readonly teacher: TeacherStrategy,
    @inject(PseudoLabeler) protected readonly pseudoLabeler: PseudoLabeler,
    @inject(RunRegularizers) protected readonly regularizers: Regularizer[],
    @inject(ComponentOptions) _options: Record<string, unknown>,
  ) {
    teacher.attach(student);
  }

  evalModel(): SegmentationModel {
    return this.student;
  }

  losses(batch: TrainBatch, context: StepContext): StepLosses {
    const { images, masks } = batch.labelled;
    const sup = crossEntropy(this.student.forward(images, { training: true }).logits, masks);
    const u = batch.unlabelled!;
    const weak = this.teacher.predict(u.weak).logits;
    const views = strongViews(this.student, this.pseudoLabeler, u, weak, this.strongViews);
    const [view] = views.targets;
    const unsup = unsupervisedCrossEntropy(view.studentLogits, view.pseudoLabels.labels, view.pseudoLabels.mask, view.ignore);
    context.log('confident', confidentShare(views.targets).dataSync()[0]);
    const reg = applyRegularizers(this.regularizers, views.contexts, weak, [u.weak.shape[1], u.weak.shape[2]], context, unsup.div(2));
    return { total: sup.add(unsup).div(2).add(reg.total), terms: { sup, unsup, ...reg.terms } };
  }

  afterStep(context: StepContext): void {
    this.teacher.afterStep(this.student, context.step);
  }
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import {
  ComponentConfig, ComponentOptions, PseudoLabeler, RunRegularizers, SegmentationModel, TeacherStrategy,
  applyRegularizers, confidentShare, resizeLogits, strongViews,
  type Method, type Regularizer, type StepContext, type StepLosses, type TrainBatch,
} from '@ssseg/core';
import { crossEntropy, unsupervisedCrossEntropy } from '@ssseg/losses';

const options = z.strictObject({
  teacher: ComponentConfig.default({ type: 'shared' }),
  pseudoLabeler: ComponentConfig.default({ type: 'threshold', confThreshold: 0.95 }),
});

/**
 * UniMatch (Yang et al., CVPR 2023): two independently drawn strong views learn the weak
 * view's pseudo-labels, and a feature-perturbed prediction of the weak view learns them too.
 * Loss (Lx + 0.25 Ls1 + 0.25 Ls2 + 0.5 Lfp) / 2, plus any regularizers.
 */
@injectable()
export class UniMatch implements Method {
  static options = options;
  static summary = 'dual strong views + feature perturbation';
  readonly type = 'unimatch';
  readonly usesUnlabelled = true;
  readonly strongViews = 2;

  constructor(
    @inject(SegmentationModel) private readonly student: SegmentationModel,
    @inject(TeacherStrategy) private readonly teacher: TeacherStrategy,
    @inject(PseudoLabeler) private readonly pseudoLabeler: PseudoLabeler,
    @inject(RunRegularizers) private readonly regularizers: Regularizer[],
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
    const inputSize: [number, number] = [u.weak.shape[1], u.weak.shape[2]];
    const weak = this.teacher.predict(u.weak).logits;
    const views = strongViews(this.student, this.pseudoLabeler, u, weak, this.strongViews);
    const [s1, s2] = views.targets.map((v) =>
      unsupervisedCrossEntropy(v.studentLogits, v.pseudoLabels.labels, v.pseudoLabels.mask, v.ignore));
    const perturbed = this.student.forward(u.weak, { training: true, perturbFeatures: true, rng: context.rng }).perturbedLogits;
    if (!perturbed) throw new Error(`unimatch needs a model with feature perturbation; '${this.student.type}' returned none`);
    const w = views.weakPseudoLabels;
    const fp = unsupervisedCrossEntropy(resizeLogits(perturbed, inputSize), w.labels, w.mask, u.ignore);
    context.log('confident', confidentShare(views.targets).dataSync()[0]);
    const strongCe = s1.mul(0.25).add(s2.mul(0.25)).div(2) as tf.Scalar; // as the strong views' CE enters the total
    const reg = applyRegularizers(this.regularizers, views.contexts, weak, inputSize, context, strongCe);
    const total = tf.addN([sup, s1.mul(0.25), s2.mul(0.25), fp.mul(0.5)]).div(2).add(reg.total) as tf.Scalar;
    return { total, terms: { sup, s1, s2, fp, ...reg.terms } };
  }

  afterStep(context: StepContext): void {
    this.teacher.afterStep(this.student, context.step);
  }
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import type { tf } from '@ssseg/engine';
import { ComponentConfig } from '../config/schema';
import {
  ComponentOptions, PseudoLabeler, RunRegularizers, SegmentationModel, TeacherStrategy,
  type ForwardResult, type LabelledBatch, type Regularizer, type StepContext, type StepLosses, type TrainBatch, type UnlabelledBatch,
} from '../tokens';
import { MethodBase } from './method-base';
import { applyRegularizers, confidentShare, strongViews, type StrongViews } from './strong-views';

const SHARED_TEACHER = { type: 'shared' };
const CONFIDENT_PSEUDO_LABELS = { type: 'threshold', confThreshold: 0.95 };

/**
 * The options of a teacher-student method: which teacher strategy and which pseudo-labeler
 * (component configs, built by the run before the method), with the method's defaults (the
 * student as its own teacher, pseudo-labels kept above 0.95 confidence). Extend it with the
 * method's own options.
 */
export function teacherStudentOptions(defaults: { teacher?: ComponentConfig; pseudoLabeler?: ComponentConfig } = {}) {
  return z.strictObject({
    teacher: ComponentConfig.default(defaults.teacher ?? SHARED_TEACHER),
    pseudoLabeler: ComponentConfig.default(defaults.pseudoLabeler ?? CONFIDENT_PSEUDO_LABELS),
  });
}

/** What a teacher-student method's own unlabelled terms are computed from, for one step. */
export interface UnlabelledStep {
  batch: UnlabelledBatch;
  /** Teacher logits on the weak view, at the network's output resolution; no gradient. */
  weakTeacherLogits: tf.Tensor4D;
  /** Teacher features on the weak view, [B, h, w, F], when the model exposes them; no gradient. */
  weakTeacherFeatures?: tf.Tensor4D;
  /** The step's labelled batch and the student's forward on it (the supervised term's). */
  labelled: LabelledBatch & { student: ForwardResult };
  /** The CutMix-mixed strong views with their aligned pseudo-labels (`strongViews` of them). */
  views: StrongViews;
  /** [H, W] of the views. */
  inputSize: [number, number];
  context: StepContext;
}

/**
 * The base of weak-to-strong teacher-student methods (FixMatch, Mean Teacher, UniMatch). It owns
 * the plumbing of a step: the supervised term, the teacher's weak-view prediction, the strong
 * views and their pseudo-labels, the share of confident pseudo-labels in the log, every
 * regularizer of the config (added to the method's loss, each term logged by name), and the
 * teacher's update after the optimizer step. A subclass gives only its own terms and formula.
 */
@injectable()
export abstract class TeacherStudentMethod<Schema extends z.ZodType = ReturnType<typeof teacherStudentOptions>> extends MethodBase {
  readonly usesUnlabelled = true;

  constructor(
    @inject(SegmentationModel) student: SegmentationModel,
    @inject(TeacherStrategy) protected readonly teacher: TeacherStrategy,
    @inject(PseudoLabeler) protected readonly pseudoLabeler: PseudoLabeler,
    @inject(RunRegularizers) private readonly regularizers: readonly Regularizer[],
    /** The method's validated options: the output of its static `options` schema, `Schema`. */
    @inject(ComponentOptions) protected readonly options: ComponentOptions<Schema>,
  ) {
    super(student);
    teacher.attach(student);
  }

  /** The method's own unlabelled loss terms, by the name they are logged under. */
  protected abstract unlabelledTerms(step: UnlabelledStep): Record<string, tf.Scalar>;

  /** The method's loss from its supervised term and its own terms; the regularizers are added to it. */
  protected abstract combine(sup: tf.Scalar, terms: Record<string, tf.Scalar>): tf.Scalar;

  /**
   * The strong views' pseudo-label loss as it enters the method's loss: what a regularizer's
   * gradient ratio (IPixMatch's `gradRatioEvery`) is measured against.
   */
  protected abstract strongViewLoss(terms: Record<string, tf.Scalar>): tf.Scalar;

  losses(batch: TrainBatch, context: StepContext): StepLosses {
    const { sup, student } = this.supervisedForward(batch.labelled);
    const u = batch.unlabelled;
    if (!u) throw new Error(`${this.type}: the step's batch has no unlabelled part (the method uses unlabelled images)`);
    const inputSize: [number, number] = [u.weak.shape[1], u.weak.shape[2]];
    const { logits: weakTeacherLogits, features: weakTeacherFeatures } = this.teacher.predict(u.weak);
    const views = strongViews(this.student, this.pseudoLabeler, u, weakTeacherLogits, this.strongViews);
    const labelled = { ...batch.labelled, student };
    const own = this.unlabelledTerms({ batch: u, weakTeacherLogits, weakTeacherFeatures, labelled, views, inputSize, context });
    context.log('confident', confidentShare(views.targets).dataSync()[0]);
    const reg = applyRegularizers(this.regularizers, views.contexts, weakTeacherLogits, inputSize, context, this.strongViewLoss(own));
    for (const name of Object.keys(reg.terms)) {
      if (name === 'sup' || name in own) {
        throw new Error(`a regularizer is named '${name}', as a term of ${this.type}: give it another name`);
      }
    }
    return { total: this.combine(sup, own).add(reg.total), terms: { sup, ...own, ...reg.terms } };
  }

  override afterStep(context: StepContext): void {
    this.teacher.afterStep(this.student, context.step);
  }
}

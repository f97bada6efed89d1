import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import {
  ComponentOptions, MethodBase, ModelFactory, RunRegularizers, SegmentationModel, crossEntropy, unsupervisedCrossEntropy,
  type Regularizer, type StepContext, type StepLosses, type TrainBatch, type TrainedPart,
} from '@ssseg/core';
import { cutmixPredictions, plainPredictions } from './cps-predictions';
import { crossRegularizers } from './cross-regularizers';

/** The official Pascal VOC configs' cps_weight: 1.5 for CPS, 1 for CPS+CutMix. */
const CPS_WEIGHT = { plain: 1.5, cutmix: 1 };

const options = z.strictObject({
  /** λ, the weight of the CPS term; default 1.5 (1 with `cutmix`), as the official VOC configs. */
  cpsWeight: z.number().min(0).optional(),
  /** The CutMix form: the CPS term on unlabelled images mixed with their CutMix partners. */
  cutmix: z.boolean().default(false),
  /** The network evaluated and checkpointed as the run's model: the official code evaluates the first. */
  evaluate: z.enum(['first', 'second']).default('first'),
}).transform((o) => ({ ...o, cpsWeight: o.cpsWeight ?? (o.cutmix ? CPS_WEIGHT.cutmix : CPS_WEIGHT.plain) }));

/** The names of the method's own terms, which a regularizer's name must not take. */
const OWN_TERMS = ['sup', 'supSecond', 'cps'];

/**
 * Cross Pseudo Supervision (Chen, Yuan, Zeng, Wang, CVPR 2021): two networks f1 (the student) and
 * f2 of one architecture, initialised differently, each learning the other's hard pseudo-labels
 * Y = argmax f (no threshold) beside its own supervised cross-entropy:
 *
 *   L = CE(f1(Xl), Yl) + CE(f2(Xl), Yl) + λ (CE(f1(X), Y2) + CE(f2(X), Y1))
 *
 * X: the labelled and unlabelled images together (their pixels averaged as one set), or with
 * `cutmix` the unlabelled images mixed with their CutMix partners, Y1 and Y2 then the networks'
 * predictions on the unmixed images mixed the same way. Plus each regularizer in both directions
 * (`crossRegularizers`). There is no EMA teacher and no confidence threshold: each network is the
 * other's teacher, and the second trains as a part beside the student.
 */
@injectable()
export class CrossPseudoSupervision extends MethodBase {
  static readonly type = 'cps';
  static options = options;
  static summary = 'two networks, each learning the other\'s hard pseudo-labels';
  readonly usesUnlabelled = true;
  readonly strongViews: number;
  private readonly second: SegmentationModel;

  constructor(
    @inject(SegmentationModel) student: SegmentationModel,
    @inject(ModelFactory) anotherNetwork: ModelFactory,
    @inject(RunRegularizers) private readonly regularizers: readonly Regularizer[],
    @inject(ComponentOptions) private readonly options: ComponentOptions<typeof CrossPseudoSupervision.options>,
  ) {
    super(student);
    regularizers.forEach((r, i) => {
      if (OWN_TERMS.includes(r.name)) throw new Error(`regularizers[${i}] is named '${r.name}', as a term of cps: give it another name`);
    });
    // the CutMix box comes with a strong view; its pixels are not used (the official code mixes unjittered images)
    this.strongViews = options.cutmix ? 1 : 0;
    this.second = anotherNetwork(1);
  }

  override evalModel(): SegmentationModel {
    return this.options.evaluate === 'second' ? this.second : this.student;
  }

  trainedParts(): ReadonlyMap<string, TrainedPart> {
    return new Map([['second', this.second]]);
  }

  losses(batch: TrainBatch, context: StepContext): StepLosses {
    const u = batch.unlabelled;
    if (!u) throw new Error('cps: the step\'s batch has no unlabelled part (the method uses unlabelled images)');
    const predict = this.options.cutmix ? cutmixPredictions : plainPredictions;
    const p = predict([this.student, this.second], batch.labelled, u);
    const sup = crossEntropy(p.first.labelled, batch.labelled.masks);
    const supSecond = crossEntropy(p.second.labelled, batch.labelled.masks);
    const all = tf.onesLike(p.cpsIgnore);
    const cpsFirst = unsupervisedCrossEntropy(p.first.cpsLogits, p.second.cpsLabels, all, p.cpsIgnore);
    const cpsSecond = unsupervisedCrossEntropy(p.second.cpsLogits, p.first.cpsLabels, all, p.cpsIgnore);
    const w = this.options.cpsWeight;
    const inputSize: [number, number] = [u.weak.shape[1], u.weak.shape[2]];
    const reg = crossRegularizers(this.regularizers, p, inputSize, context, [cpsFirst.mul(w), cpsSecond.mul(w)]);
    const cps = cpsFirst.add(cpsSecond) as tf.Scalar;
    const total = tf.addN([sup, supSecond, cps.mul(w), reg.total]) as tf.Scalar;
    return { total, terms: { sup, supSecond, cps, ...reg.terms } };
  }

  dispose(): void {
    this.second.dispose();
  }
}

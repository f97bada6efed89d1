import { inject, injectable } from 'inversify';
import { tf } from '@ssseg/engine';
import {
  ComponentOptions, PseudoLabeler, RunRegularizers, RunRng, SegmentationModel, TeacherStrategy, TeacherStudentMethod, crossEntropy, resizeLogits,
  unsupervisedCrossEntropy, type MethodState, type Regularizer, type Rng, type TrainedPart, type UnlabelledStep,
} from '@ssseg/core';
import { CorrelationHead } from './correlation-head';
import { correlationRegions, sampleRows } from './correlation-regions';
import { DynamicThreshold } from './dynamic-threshold';
import { decoderFeatureChannels, decoderFeatures } from './feature-channels';
import { maskedKl } from './masked-kl';
import { corrMatchOptions } from './options';
import { propagateLabels } from './region-propagation';

const THRESHOLD_STATE = 'threshold';

/**
 * CorrMatch (Sun et al., "CorrMatch: Label Propagation via Correlation Matching for Semi-Supervised
 * Semantic Segmentation", CVPR 2024), as the authors' official code computes a step. A correlation
 * head beside the student (`trainedParts`: 'correlation') turns each view's decoder features into a
 * pixel-pixel correlation and propagates the view's detached prediction through it (P^corr). A
 * dynamic threshold t (run state) keeps confident pseudo-labels, and regions of the weak view's
 * correlation spread the majority label of their confident pixels (label propagation). Loss
 *
 *   ( 0.5 CE(P_x, y) + 0.5 CE(P^corr_x, y) + 0.25 Ls + 0.25 Lkl + 0.25 Lfp + 0.25 (Ls^corr + Lw^corr) / 2 ) / 2
 *
 * Ls, Ls^corr: CE of the strong view's prediction and its correlation-matched one to the propagated
 * pseudo-labels; Lkl: KL of the strong prediction to the weak one on confident pixels; Lfp, Lw^corr:
 * CE of the feature-perturbed and the correlation-matched weak predictions to the weak pseudo-labels
 * above t. Plus any regularizers. Randomness, from the step's generator in this order: the weak
 * pass's feature perturbation, the head's dropout (labelled, weak, strong), the sampled regions.
 */
@injectable()
export class CorrMatch extends TeacherStudentMethod<typeof corrMatchOptions> {
  static readonly type = 'corrmatch';
  static options = corrMatchOptions;
  static summary = 'correlation maps propagate confident pseudo-labels, dynamic threshold';
  readonly strongViews = 1;
  private readonly head: CorrelationHead;
  private readonly threshold: DynamicThreshold;

  constructor(
    @inject(SegmentationModel) student: SegmentationModel,
    @inject(TeacherStrategy) teacher: TeacherStrategy,
    @inject(PseudoLabeler) pseudoLabeler: PseudoLabeler,
    @inject(RunRegularizers) regularizers: readonly Regularizer[],
    @inject(ComponentOptions) options: ComponentOptions<typeof corrMatchOptions>,
    @inject(RunRng) rng: Rng,
  ) {
    super(student, teacher, pseudoLabeler, regularizers, options);
    const o = this.options;
    if (o.correlationStride % student.outputStride !== 0) {
      throw new Error(`method.correlationStride: ${o.correlationStride} is not a multiple of the model's output stride ${student.outputStride} (its features are pooled by the ratio)`);
    }
    this.head = new CorrelationHead({
      featureChannels: decoderFeatureChannels(student),
      numClasses: student.numClasses,
      channels: o.projectionChannels,
      dropout: o.projectionDropout,
      pool: o.correlationStride / student.outputStride,
      rng: rng.fork('corrmatch:correlation-head'),
    });
    this.threshold = new DynamicThreshold(o.thresholdInit, o.thresholdMomentum);
  }

  protected unlabelledTerms({ batch, views, weakTeacherLogits, labelled, inputSize, context }: UnlabelledStep): Record<string, tf.Scalar> {
    const [view] = views.targets;
    const weakLabels = views.weakPseudoLabels;
    const weak = this.student.forward(batch.weak, { training: true, perturbFeatures: true, rng: context.rng });
    if (!weak.perturbedLogits) throw new Error(`corrmatch needs a model with feature perturbation; '${this.student.type}' returned none`);

    const labelledCorrelation = this.head.correlate(decoderFeatures(labelled.student, this.student), context.rng);
    const weakCorrelation = this.head.correlate(decoderFeatures(weak, this.student), context.rng);
    const strongCorrelation = this.head.correlate(decoderFeatures({ logits: view.studentLogits, features: view.studentFeatures }, this.student), context.rng);

    const numClasses = this.student.numClasses;
    const ignore = view.ignore.dataSync();
    this.threshold.update(weakLabels.labels.dataSync(), weakLabels.confidence.dataSync(), ignore, numClasses);
    const t = this.threshold.value;
    const [gh, gw] = weakCorrelation.grid;
    const regions = correlationRegions(weakCorrelation, sampleRows(context.rng, gh * gw, this.options.correlationSamples), inputSize);
    const propagated = propagateLabels({
      labels: view.pseudoLabels.labels.dataSync() as Int32Array,
      confidence: view.pseudoLabels.confidence.dataSync() as Float32Array,
      ignore: ignore as Float32Array,
      box: batch.cutmixBoxes[0].dataSync() as Float32Array,
    }, regions, inputSize[0] * inputSize[1], t, numClasses);

    const shape = view.ignore.shape;
    const strongLabels = tf.tensor3d(propagated.labels, shape, 'int32');
    const kept = tf.tensor3d(Float32Array.from(propagated.kept), shape);
    const confident = tf.tensor3d(Float32Array.from(propagated.confident), shape);
    const weakConfident = weakLabels.confidence.greaterEqual(t).toFloat() as tf.Tensor3D;
    this.logPropagation(context.log, t, propagated.kept, propagated.confident, ignore);

    const labelledSize: [number, number] = [labelled.masks.shape[1], labelled.masks.shape[2]];
    return {
      supCorr: crossEntropy(this.head.propagate(labelledCorrelation, labelled.student.logits, labelledSize), labelled.masks),
      strong: unsupervisedCrossEntropy(view.studentLogits, strongLabels, kept, view.ignore),
      kl: maskedKl(resizeLogits(weakTeacherLogits, inputSize), view.studentLogits, confident, view.ignore),
      fp: unsupervisedCrossEntropy(resizeLogits(weak.perturbedLogits, inputSize), weakLabels.labels, weakConfident, batch.ignore),
      strongCorr: unsupervisedCrossEntropy(this.head.propagate(strongCorrelation, view.studentLogits, inputSize), strongLabels, kept, view.ignore),
      weakCorr: unsupervisedCrossEntropy(this.head.propagate(weakCorrelation, weak.logits, inputSize), weakLabels.labels, weakConfident, batch.ignore),
    };
  }

  protected combine(sup: tf.Scalar, { supCorr, strong, kl, fp, strongCorr, weakCorr }: Record<string, tf.Scalar>): tf.Scalar {
    const w = this.options.weights;
    const corr = strongCorr.add(weakCorr).div(2);
    return tf.addN([sup.mul(w.sup), supCorr.mul(w.supCorr), strong.mul(w.strong), kl.mul(w.kl), fp.mul(w.fp), corr.mul(w.corr)]).div(2) as tf.Scalar;
  }

  protected strongViewLoss({ strong, kl }: Record<string, tf.Scalar>): tf.Scalar {
    const w = this.options.weights;
    return strong.mul(w.strong).add(kl.mul(w.kl)).div(2) as tf.Scalar;
  }

  trainedParts(): ReadonlyMap<string, TrainedPart> {
    return new Map([['correlation', this.head]]);
  }

  state(): MethodState {
    return new Map([[THRESHOLD_STATE, this.threshold.state()]]);
  }

  loadState(state: MethodState): void {
    const saved = state.get(THRESHOLD_STATE);
    if (!saved) throw new Error(`corrmatch: the checkpoint's method state has no '${THRESHOLD_STATE}' (method/${THRESHOLD_STATE})`);
    this.threshold.load(saved);
  }

  dispose(): void {
    this.head.dispose();
  }

  /** The threshold, and the shares of the strong view's non-ignored pixels trained on and added by propagation. */
  private logPropagation(log: (name: string, value: number) => void, t: number, kept: Uint8Array, confident: Uint8Array, ignore: ArrayLike<number>): void {
    let valid = 0, keptCount = 0, confidentCount = 0;
    for (let p = 0; p < kept.length; p++) {
      valid += ignore[p] === 0 ? 1 : 0;
      keptCount += kept[p];
      confidentCount += confident[p];
    }
    log('corrmatch/threshold', t);
    log('corrmatch/kept', keptCount / Math.max(1, valid));
    log('corrmatch/propagated', (keptCount - confidentCount) / Math.max(1, valid));
  }
}

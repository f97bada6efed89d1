import { inject, injectable } from 'inversify';
import { tf } from '@ssseg/engine';
import {
  ComponentOptions, PseudoLabeler, RunRegularizers, RunRng, SegmentationModel, TeacherStrategy, TeacherStudentMethod, followMovingAverage, mixWithPartner,
  noGradient, resizeMask, type MethodState, type Regularizer, type Rng, type StepContext, type TrainedPart, type UnlabelledStep,
} from '@ssseg/core';
import { u2plOptions } from './options';
import { RepresentationHead } from './representation-head';
import { ClassMemoryBanks } from './memory-bank';
import { reliableCrossEntropy } from './reliable-cross-entropy';
import { entropyBands } from './entropy-bands';
import { pixelEvidence } from './contrastive-pixels';
import { memoryBankContrastive, type DrawContrastive } from './contrastive-loss';

const TEACHER_HEAD = 'teacher-head/';

/**
 * U2PL, Using Unreliable Pseudo-Labels (Wang et al., CVPR 2022). An EMA teacher labels the weak
 * view; the student learns the CutMix-aligned labels on the strong view where they are reliable
 * (teacher entropy below a percentile that rises over training), and the unreliable pixels serve
 * as negatives: a representation head embeds the decoder features, and each class's reliable
 * anchors are pulled to the class prototype and pushed from that class's memory bank of
 * unreliable (and confusable labelled) pixels.
 *
 *   L = L_s + unsupervisedWeight * L_u + contrastiveWeight * L_c     (plus any regularizers)
 *
 * L_u: `reliableCrossEntropy`; L_c: `contrastiveLoss`; the head is a trained part ('head'), its
 * teacher copy follows it with the teacher's EMA decay and is run state (`teacher-head/...`)
 * with the memory banks (`bank/...`). See docs/methods/u2pl.md.
 */
@injectable()
export class U2PL extends TeacherStudentMethod<typeof u2plOptions> {
  static readonly type = 'u2pl';
  static options = u2plOptions;
  static summary = 'entropy-filtered pseudo-labels + contrastive negatives from unreliable pixels';
  readonly strongViews = 1;
  private readonly head: RepresentationHead;
  /** The head the teacher embeds with: an EMA copy for an EMA teacher, else the student's own. */
  private readonly teacherHead?: RepresentationHead;
  private readonly banks: ClassMemoryBanks;

  constructor(
    @inject(SegmentationModel) student: SegmentationModel,
    @inject(TeacherStrategy) teacher: TeacherStrategy,
    @inject(PseudoLabeler) pseudoLabeler: PseudoLabeler,
    @inject(RunRegularizers) regularizers: readonly Regularizer[],
    @inject(ComponentOptions) options: ComponentOptions<typeof u2plOptions>,
    @inject(RunRng) runRng: Rng,
  ) {
    super(student, teacher, pseudoLabeler, regularizers, options);
    const o = this.options;
    const rng = runRng.fork('u2pl representation head');
    this.head = new RepresentationHead({ inChannels: featureChannels(student), channels: o.headChannels, dim: o.embeddingDim, dropout: o.headDropout }, rng);
    this.teacherHead = teacher.decayAt ? this.head.clone(rng) : undefined;
    const capacities = Array.from({ length: student.numClasses }, (_, c) => (c === 0 ? o.backgroundQueueSize : o.queueSize));
    this.banks = new ClassMemoryBanks(capacities, o.embeddingDim);
  }

  override evalModel(): SegmentationModel {
    return this.options.evaluate === 'teacher' ? this.teacher.model() : this.student;
  }

  trainedParts(): ReadonlyMap<string, TrainedPart> {
    return new Map([['head', this.head]]);
  }

  protected unlabelledTerms(step: UnlabelledStep): Record<string, tf.Scalar> {
    const [target] = step.views.targets;
    // the official schedules run over epochs; here over steps
    const progress = Math.min(1, step.context.step / step.context.totalSteps);
    const valid = tf.sub(1, target.ignore).mul(target.pseudoLabels.mask) as tf.Tensor3D;
    const dropPercent = 100 - (100 - this.options.dropPercent) * (1 - progress);
    const unsup = reliableCrossEntropy(target.studentLogits, target.pseudoLabels.labels, target.pseudoLabels.probs, valid, dropPercent);
    return { unsup, contra: this.contrastiveTerm(step, valid, progress) };
  }

  protected combine(sup: tf.Scalar, { unsup, contra }: Record<string, tf.Scalar>): tf.Scalar {
    return tf.addN([sup, unsup.mul(this.options.unsupervisedWeight), contra.mul(this.options.contrastiveWeight)]) as tf.Scalar;
  }

  protected strongViewLoss({ unsup }: Record<string, tf.Scalar>): tf.Scalar {
    return unsup.mul(this.options.unsupervisedWeight);
  }

  /**
   * L_c on the labelled images and the strong view, at the features' resolution: student
   * embeddings through the head (training mode, one batch as the official forward), teacher
   * embeddings of the labelled images and of the weak view CutMix-aligned to the strong one.
   */
  private contrastiveTerm({ labelled, views, batch, weakTeacherFeatures, context }: UnlabelledStep, valid: tf.Tensor3D, progress: number): tf.Scalar {
    const [target] = views.targets;
    const [view] = views.contexts;
    const teacherLabelled = this.teacher.predict(labelled.images);
    const features = [labelled.student.features, view.studentFeatures, teacherLabelled.features, weakTeacherFeatures];
    if (features.some((f) => !f)) throw new Error(`u2pl reads the decoder features of the forward; model '${this.student.type}' gives none`);
    const [studentLabelled, studentStrong, teacherFeatures, weakTeacher] = features as tf.Tensor4D[];
    const [, h, w] = view.studentLogits.shape;
    const teacherStrong = mixWithPartner(weakTeacher, resizeMask(batch.cutmixBoxes[0], [h, w]));
    const studentRep = this.head.forward(tf.concat4d([studentLabelled, studentStrong], 0), { training: true, rng: context.rng });
    const teacherRep = noGradient(() => (this.teacherHead ?? this.head).forward(tf.concat4d([teacherFeatures, teacherStrong], 0), { training: false }));

    const bands = entropyBands(target.pseudoLabels.probs, valid, this.options.lowEntropyThreshold * (1 - progress));
    const evidence = pixelEvidence({
      labelledMasks: resizeMask(labelled.masks.toFloat() as tf.Tensor3D, [h, w]),
      labelledProbs: tf.softmax(teacherLabelled.logits) as tf.Tensor4D,
      unlabelledLabels: view.pseudoLabels.labels,
      unlabelledProbs: view.pseudoLabels.probs,
      reliable: resizeMask(bands.reliable, [h, w]),
      unreliable: resizeMask(bands.unreliable, [h, w]),
    });
    const { numQueries, numNegatives } = this.options;
    const draw: DrawContrastive = (_c, anchorCount, bankSize) => ({
      anchors: Int32Array.from({ length: numQueries }, () => context.rng.int(anchorCount)),
      negatives: Int32Array.from({ length: numQueries * numNegatives }, () => context.rng.int(bankSize)),
    });
    const rep = studentRep.reshape([-1, this.options.embeddingDim]) as tf.Tensor2D;
    return memoryBankContrastive(rep, teacherRep.dataSync() as Float32Array, evidence, this.banks, draw, this.options);
  }

  override afterStep(context: StepContext): void {
    super.afterStep(context);
    if (this.teacherHead && this.teacher.decayAt) followMovingAverage(this.teacherHead, this.head, this.teacher.decayAt(context.step), 'U2PL teacher head');
  }

  state(): MethodState {
    const state = this.banks.state();
    for (const [name, t] of this.teacherHead?.getWeights() ?? []) state.set(TEACHER_HEAD + name, t.clone());
    return state;
  }

  loadState(state: MethodState): void {
    if (this.teacherHead) {
      const weights = new Map([...state].filter(([name]) => name.startsWith(TEACHER_HEAD)).map(([name, t]) => [name.slice(TEACHER_HEAD.length), t]));
      this.teacherHead.setWeights(weights, { strict: true });
    }
    this.banks.loadState(state);
  }

  dispose(): void {
    this.head.dispose();
    this.teacherHead?.dispose();
  }
}

/** Channels of the decoder features the model gives, read from one small eval-mode forward. */
function featureChannels(model: SegmentationModel): number {
  const channels = tf.tidy(() => model.forward(tf.zeros([1, 32, 32, 3]), { training: false }).features?.shape[3] ?? 0);
  if (!channels) throw new Error(`u2pl reads the decoder features of the forward; model '${model.type}' gives none`);
  return channels;
}

/**
 * Every extension point of ssseg: a service identifier and an interface of the same name.
 * Plugins bind classes to these tokens as named bindings (the name is the config `type`);
 * core resolves them by name and never imports a plugin.
 *
 * Tensor layout is NHWC throughout. Logits returned by a model are at the network's output
 * resolution (input size / outputStride, rounded up); losses on labels upsample them.
 */
import type { tf } from '@ssseg/engine';
import type { ServiceIdentifier } from 'inversify';
import type { output, ZodType } from 'zod';
import type { Rng } from './rng';
import type { RunState } from './trainer/run-state';
import type { RunConfig as ValidatedRunConfig } from './config/schema';
import type { ConfigOverrideOptions } from './config/overrides';

type Tensor4D = tf.Tensor4D;
type Tensor3D = tf.Tensor3D;
type Scalar = tf.Scalar;

// ---------------------------------------------------------------------------------------------
// Models

export interface ForwardOptions {
  /** Training mode: batch-norm uses batch statistics and updates its running ones. */
  training: boolean;
  /**
   * UniMatch feature perturbation: also return `perturbedLogits`, the prediction made from the
   * encoder features after channel dropout (p = 0.5), computed in the same pass.
   */
  perturbFeatures?: boolean;
  /** Randomness for dropout; required when `perturbFeatures` is set in training. */
  rng?: Rng;
}

export interface ForwardResult {
  /** [B, h, w, C] at the network's output resolution, before upsampling. */
  logits: Tensor4D;
  /** Present when `perturbFeatures` was asked for. */
  perturbedLogits?: Tensor4D;
  /** The features the decoder's classifier reads, [B, h, w, F], when the model exposes them. */
  features?: Tensor4D;
}

export interface SegmentationModel {
  readonly type: string;
  readonly numClasses: number;
  /** Ratio of input size to logits size (4 for DeepLabV3+, 1 for a full-resolution U-Net). */
  readonly outputStride: number;
  forward(x: Tensor4D, options: ForwardOptions): ForwardResult;
  /** Variables the optimizer updates, by stable name. */
  trainableVariables(): Map<string, tf.Variable>;
  /** Every tensor of the model's state (trainable and batch-norm statistics), by stable name. */
  getWeights(): Map<string, tf.Tensor>;
  /** Copies values into the model's state; shapes must match (errors name the layer and both shapes). */
  setWeights(weights: Map<string, tf.Tensor>, options?: { strict?: boolean }): void;
  /** A deep copy with its own variables (for an EMA teacher). */
  clone(): SegmentationModel;
  dispose(): void;
  /** What building the model read from weight files (a pretrained backbone), lines for the run's log. */
  readonly pretrainedNotes?: readonly string[];
}
export const SegmentationModel: ServiceIdentifier<SegmentationModel> = Symbol.for('ssseg.SegmentationModel');

/** What a model gives the backbone it is built on. */
export interface BackboneContext {
  /** Input size / size of the deepest features the model needs (8, 16 or 32). */
  outputStride: number;
  /** The model's weight-initialisation generator (same seed, same weights). */
  rng: Rng;
}

/**
 * An encoder a model family is built on, named by the model's options (DeepLabV3+'s
 * `backbone: { type: resnet, ... }`). The bound class receives its validated options and
 * `create`s the encoder module; the model checks that it is the kind of module it reads
 * (for DeepLabV3+, `Backbone` of @ssseg/models).
 */
export interface Backbone {
  readonly type: string;
  /** A weight file the encoder starts from, when the options name one. */
  readonly pretrained?: string;
  create(context: BackboneContext): unknown;
}
export const Backbone: ServiceIdentifier<Backbone> = Symbol.for('ssseg.Backbone');

// ---------------------------------------------------------------------------------------------
// Data

/** One image with its label map, as plain typed arrays (data pipelines run outside tf). */
export interface Sample {
  id: string;
  height: number;
  width: number;
  /** HWC, 3 channels, float values in [0, 1]. */
  image: Float32Array;
  /** HW class indices; 255 = ignore. Absent for unlabelled images. */
  mask?: Uint8Array;
  /** HW, 1 where the pixel is padding or otherwise ignored (set by geometric augmentations). */
  ignore?: Uint8Array;
  /** HW, 1 inside the CutMix box: those pixels are to be taken from the mix partner. */
  cutmixBox?: Uint8Array;
}

export interface SampleSource {
  readonly length: number;
  id(index: number): string;
  get(index: number): Promise<Sample>;
}

export interface Dataset {
  readonly type: string;
  readonly numClasses: number;
  readonly classNames: readonly string[];
  /**
   * RGB colour of each class in masks, galleries and legends (class order); VOC's colour map
   * when absent. On black, so background is best [0, 0, 0].
   */
  readonly palette?: readonly (readonly [number, number, number])[];
  labelled(): SampleSource;
  unlabelled(): SampleSource;
  validation(): SampleSource;
  /** Side of the square training crop of the default weak pipeline. */
  readonly cropSize?: number;
  /**
   * The weak pipeline this data calls for when a config gives none (otherwise UniMatch's: rescale
   * 0.5-2, crop, flip). Digits, for one, change meaning when mirrored.
   */
  weakAugmentations?(): { type: string; [option: string]: unknown }[];
}
export const Dataset: ServiceIdentifier<Dataset> = Symbol.for('ssseg.Dataset');

/** A seeded transform of a sample; image, mask, ignore and box always move together. */
export interface Augmentation {
  readonly type: string;
  apply(sample: Sample, rng: Rng): Sample;
}
export const Augmentation: ServiceIdentifier<Augmentation> = Symbol.for('ssseg.Augmentation');

/** Labelled batch: images [B, H, W, 3] float32 (normalised), masks [B, H, W] int32 (255 = ignore). */
export interface LabelledBatch {
  images: Tensor4D;
  masks: Tensor3D;
}

/** Unlabelled batch with its weak view and `strong.length` independently drawn strong views. */
export interface UnlabelledBatch {
  weak: Tensor4D;
  strong: Tensor4D[];
  /** Per strong view, [B, H, W] float32, 1 inside the CutMix box (pixels taken from the partner). */
  cutmixBoxes: Tensor3D[];
  /** [B, H, W] float32, 1 where the weak view is padding (ignored). */
  ignore: Tensor3D;
}

export interface TrainBatch {
  labelled: LabelledBatch;
  unlabelled?: UnlabelledBatch;
}

// ---------------------------------------------------------------------------------------------
// Teacher side

export interface PseudoLabels {
  /** Teacher probabilities [B, h, w, C] (after the labeler's temperature). */
  probs: Tensor4D;
  /** Hard labels [B, h, w] int32. */
  labels: Tensor3D;
  /** max_c probs, [B, h, w]. */
  confidence: Tensor3D;
  /** [B, h, w] float32, 1 where the pseudo-label is used. */
  mask: Tensor3D;
}

/** Teacher logits -> pseudo-labels. Works on whatever resolution it is given. */
export interface PseudoLabeler {
  readonly type: string;
  label(teacherLogits: Tensor4D): PseudoLabels;
}
export const PseudoLabeler: ServiceIdentifier<PseudoLabeler> = Symbol.for('ssseg.PseudoLabeler');

/** Where teacher predictions come from. Predictions carry no gradient. */
export interface TeacherStrategy {
  readonly type: string;
  /** Called once with the student before training starts (an EMA teacher clones it here). */
  attach(student: SegmentationModel): void;
  /** Teacher prediction in eval mode unless the strategy says otherwise; no gradient flows. */
  predict(x: Tensor4D, options?: Partial<ForwardOptions>): ForwardResult;
  /** After each optimizer step (an EMA teacher updates its weights here). */
  afterStep(student: SegmentationModel, step: number): void;
  /**
   * An EMA teacher's decay after optimizer step `step` (the share of its old weights it keeps), for
   * a method that keeps EMA copies of its own trained parts (U2PL's representation head). Absent
   * when the teacher is no moving average.
   */
  decayAt?(step: number): number;
  /** The model the teacher predicts with (the student itself, or its EMA copy). */
  model(): SegmentationModel;
  dispose(): void;
}
export const TeacherStrategy: ServiceIdentifier<TeacherStrategy> = Symbol.for('ssseg.TeacherStrategy');

// ---------------------------------------------------------------------------------------------
// Regularizers

/** What one strong view gives a regularizer, aligned pixel for pixel with the student's prediction. */
export interface StrongViewContext {
  /** Student logits on this strong view, [B, h, w, C], output resolution, differentiable. */
  studentLogits: Tensor4D;
  /** The student's decoder features on this view, [B, h, w, F], when the model exposes them; differentiable. */
  studentFeatures?: Tensor4D;
  /** Teacher logits aligned to this view (CutMix applied), [B, h, w, C]; no gradient. */
  teacherLogits: Tensor4D;
  /** Pseudo-labels aligned to this view, at output resolution. */
  pseudoLabels: PseudoLabels;
  /** [B, h, w] float32, 1 = ignored pixel (padding, out-of-image), output resolution. */
  ignoreMask: Tensor3D;
}

export interface UnsupervisedContext {
  views: StrongViewContext[];
  /** Teacher logits on the weak view (no CutMix), output resolution. */
  weakTeacherLogits: Tensor4D;
  /** Input size [H, W] of the views (logits are smaller by the model's output stride). */
  inputSize: [number, number];
  numClasses: number;
  /** Global optimizer step (0-based) and total steps of the run. */
  step: number;
  totalSteps: number;
  rng: Rng;
  /** Records a scalar statistic for the metrics log (not a loss term). */
  log(name: string, value: number): void;
  /**
   * The method's own unsupervised loss on the strong views (its cross-entropy on pseudo-labels)
   * as it enters the total, coefficients included: connected to each view's `studentLogits`, so a
   * regularizer can compare its gradient there with this one (gradientNormOnTape). Absent when
   * the method passes none.
   */
  unsupervisedLoss?: Scalar;
}

/** An extra unsupervised loss term from the teacher-student context. */
export interface Regularizer {
  readonly type: string;
  /** Name of the loss term in logs (defaults to type). */
  readonly name: string;
  /** Weighted loss value (weight and ramp-up already applied), a differentiable scalar. */
  loss(context: UnsupervisedContext): Scalar;
}
export const Regularizer: ServiceIdentifier<Regularizer> = Symbol.for('ssseg.Regularizer');

// ---------------------------------------------------------------------------------------------
// Methods

export interface StepContext {
  step: number;
  totalSteps: number;
  epoch: number;
  rng: Rng;
  log(name: string, value: number): void;
}

export interface StepLosses {
  /** The value the optimizer minimises. */
  total: Scalar;
  /** Named terms for the log (sup, unsup, fp, and each regularizer by name). */
  terms: Record<string, Scalar>;
}

/**
 * Weights a method trains beside the student: a second network (CPS), a representation head
 * (U2PL), a projection (CorrMatch). The optimizer updates its variables with the student's, and
 * checkpoints hold its weights, so a resumed run continues it exactly. A SegmentationModel is one.
 */
export interface TrainedPart {
  /** Variables the optimizer updates, by stable name. */
  trainableVariables(): Map<string, tf.Variable>;
  /** Every tensor of its state (trainable and batch-norm statistics), by stable name. */
  getWeights(): Map<string, tf.Tensor>;
  setWeights(weights: Map<string, tf.Tensor>, options?: { strict?: boolean }): void;
  dispose(): void;
}

/** Run state of a method that is not weights (U2PL's memory banks), as tensors by name. */
export type MethodState = Map<string, tf.Tensor>;

/** One training step's losses. Runs inside the optimizer's gradient scope. */
export interface Method {
  readonly type: string;
  /** Whether the data loader must provide unlabelled batches. */
  readonly usesUnlabelled: boolean;
  /** Strong views per unlabelled image the method needs. */
  readonly strongViews: number;
  /** The model evaluated at validation time (the student, or an EMA teacher). */
  evalModel(): SegmentationModel;
  losses(batch: TrainBatch, context: StepContext): StepLosses;
  /** After the optimizer applied the gradients. */
  afterStep(context: StepContext): void;
  /**
   * What the method trains beside the student, by a name (letters, digits, '-'); each part's
   * gradients come from the same total loss, with `headLrMultiplier` on a part that is not a
   * network's backbone. Absent: the student alone.
   */
  trainedParts?(): ReadonlyMap<string, TrainedPart>;
  /** The method's run state for a checkpoint; the caller disposes what it returns. */
  state?(): MethodState;
  /** Restores what `state()` returned (from a checkpoint); disposes nothing it was given. */
  loadState?(state: MethodState): void;
  /** Frees the method's own tensors (parts it built, memory banks). */
  dispose?(): void;
}
export const Method: ServiceIdentifier<Method> = Symbol.for('ssseg.Method');

// ---------------------------------------------------------------------------------------------
// Optimization

/** A set of variables sharing a learning-rate multiplier (UniMatch: backbone 1x, head 10x). */
export interface ParamGroup {
  name: string;
  variables: Map<string, tf.Variable>;
  lrMultiplier: number;
}

/** Optimizer state as plain tensors by slot name, for checkpoints and exact resume. */
export type OptimizerState = Map<string, tf.Tensor>;

/**
 * Updates the student's variables from their gradients (`train.optimizer: { type }`). It owns
 * per-variable slots (momentum, Adam moments) keyed by variable name, so its state is saved and
 * restored with the model's weights.
 */
export interface Optimizer {
  readonly type: string;
  /** Applies gradients (by variable name) with base learning rate `lr`. Disposes nothing it was given. */
  apply(groups: ParamGroup[], grads: Map<string, tf.Tensor>, lr: number): void;
  state(): OptimizerState;
  loadState(state: OptimizerState): void;
  dispose(): void;
}
export const Optimizer: ServiceIdentifier<Optimizer> = Symbol.for('ssseg.Optimizer');

/** The learning rate at each step (`train.lrSchedule`, with `train.lr` as the base rate). */
export interface LrSchedule {
  readonly type: string;
  /** The rate at optimizer step `step` (0-based) of a run of `totalSteps` steps. */
  rate(baseLr: number, step: number, totalSteps: number): number;
}
export const LrSchedule: ServiceIdentifier<LrSchedule> = Symbol.for('ssseg.LrSchedule');

// ---------------------------------------------------------------------------------------------
// Hooks

export interface HookContext {
  epoch: number;
  step: number;
  totalSteps: number;
  /** Loss terms and statistics of the last step, as numbers. */
  logs: Record<string, number>;
  /** Set by a hook to end the run after the current step. */
  stop(reason: string): void;
  /** Run-wide state shared between hooks, typed: see RunState for who writes each field. */
  state: RunState;
}

/** What an evaluation leaves in `ctx.state.evaluation` for the hooks after it (gallery, TensorBoard). */
export interface EvaluationRecord {
  step: number;
  miou: number;
  iou: number[];
  classNames: readonly string[];
}

/**
 * Where a hook runs among the others at each event, lowest first (MMEngine's scale). A run's own
 * hooks: interruption HIGHEST, metrics log NORMAL, progress BELOW_NORMAL, evaluation and gallery
 * LOW, checkpoints VERY_LOW, TensorBoard and the test pause point LOWEST.
 */
export const HookPriority = {
  HIGHEST: 0,
  VERY_HIGH: 10,
  HIGH: 30,
  ABOVE_NORMAL: 40,
  NORMAL: 50,
  BELOW_NORMAL: 60,
  LOW: 70,
  VERY_LOW: 90,
  LOWEST: 100,
} as const;
export type HookPriority = (typeof HookPriority)[keyof typeof HookPriority];

/**
 * Lifecycle callbacks of a training run, run in priority order (equal priorities in the order
 * they were added). Two ways in: `provide(bind, Hook, Class)` a hook type that a run config names
 * (`hooks: { tensorboard: { type: tensorboard } }`; the runner's own default hooks are such types,
 * named by it), and `contribute(bind, Hook, Class)` a hook every run gets, named by its `type`.
 * The teacher's EMA and the learning rate are no hooks (the method's afterStep and the schedule).
 */
export interface Hook {
  readonly type: string;
  readonly priority: number;
  beforeRun?(ctx: HookContext): void | Promise<void>;
  beforeEpoch?(ctx: HookContext): void | Promise<void>;
  beforeStep?(ctx: HookContext): void | Promise<void>;
  afterStep?(ctx: HookContext): void | Promise<void>;
  afterEpoch?(ctx: HookContext): void | Promise<void>;
  afterRun?(ctx: HookContext): void | Promise<void>;
  /** After the run, whatever its end (its last checkpoint written): release what the hook holds. */
  dispose?(): void;
}
export const Hook: ServiceIdentifier<Hook> = Symbol.for('ssseg.Hook');

// ---------------------------------------------------------------------------------------------
// Commands

/** The part of a commander `Command` a contribution needs (the CLI passes its program). */
export interface CommandProgram {
  command(nameAndArgs: string): unknown;
}

/**
 * Subcommands a package adds to `ssseg` (the queue's `worker` and `queue ...`), bound with
 * `contribute(bind, CommandContribution, Class)`; the CLI registers every one it discovers.
 */
export interface CommandContribution {
  readonly type: string;
  register(program: CommandProgram): void;
}
export const CommandContribution: ServiceIdentifier<CommandContribution> = Symbol.for('ssseg.CommandContribution');

/** What `ssseg compare --queue URL` asks of a compare executor. */
export interface QueuedCompareRequest {
  /** The compare file, its runs already checked. */
  file: string;
  /** The comparison folder. */
  outDir: string;
  /** The `--queue` URL. */
  queueUrl: string;
  queueName?: string;
  /** Tries per run. */
  attempts: number;
  /** Every run capped at this many steps. */
  maxSteps?: number;
  /** Follow the runs to the end and write the report (false: queue them and return). */
  wait: boolean;
  /** The `--backend` of the command line. */
  backend?: string;
  /** `--set`, `--seed`, `--threads`. */
  overrides: ConfigOverrideOptions;
}

/**
 * Trains a comparison's runs elsewhere than this process (the queue's workers): `ssseg compare
 * --queue URL` hands its request to the contribution whose `schemes` has the URL's scheme.
 * Bound with `contribute(bind, CompareExecutor, Class)`.
 */
export interface CompareExecutor {
  readonly type: string;
  /** URL schemes it takes, with the colon: `redis:`. */
  readonly schemes: readonly string[];
  execute(request: QueuedCompareRequest): Promise<void>;
}
export const CompareExecutor: ServiceIdentifier<CompareExecutor> = Symbol.for('ssseg.CompareExecutor');

/**
 * Options of the component being built: its config dict without `type`, validated by the class's
 * static `options` schema made strict (unknown keys are errors), defaults filled in. The type is
 * that schema's output, so options are declared once, in the schema:
 * `constructor(@inject(ComponentOptions) readonly options: ComponentOptions<typeof MyTerm.options>)`.
 */
export type ComponentOptions<Schema extends ZodType = ZodType> = output<Schema>;
export const ComponentOptions: ServiceIdentifier<ComponentOptions> = Symbol.for('ssseg.ComponentOptions');
/**
 * Builds a component that the options of the component being built name (DeepLabV3+'s
 * `backbone`), with the same run services; `key` is its options key, so errors name the path.
 */
export type BuildSubComponent = <T>(token: ServiceIdentifier<T>, config: unknown, key: string) => T;
export const BuildSubComponent: ServiceIdentifier<BuildSubComponent> = Symbol.for('ssseg.BuildSubComponent');
/** The validated run config. */
export type RunConfig = ValidatedRunConfig;
export const RunConfig: ServiceIdentifier<RunConfig> = Symbol.for('ssseg.RunConfig');
/** The run's root random generator. */
export const RunRng: ServiceIdentifier<Rng> = Symbol.for('ssseg.RunRng');
/** The run's output folder (config.yaml, metrics.jsonl, checkpoints); a hook may write below it. */
export const RunFolder: ServiceIdentifier<string> = Symbol.for('ssseg.RunFolder');
/**
 * Builds another network of the run's `model` config, initialised from seed `run seed + seedOffset`
 * (seedOffset > 0), for a method that trains two (CPS). Its weights belong to whoever asked.
 */
export type ModelFactory = (seedOffset: number) => SegmentationModel;
export const ModelFactory: ServiceIdentifier<ModelFactory> = Symbol.for('ssseg.ModelFactory');
/** The regularizers built from the config's `regularizers` list, in order. */
export const RunRegularizers: ServiceIdentifier<Regularizer[]> = Symbol.for('ssseg.RunRegularizers');

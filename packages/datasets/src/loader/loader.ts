import { tf } from '@ssseg/engine';
import { Rng, SssegError, positiveInt, type Augmentation, type Dataset, type RngState, type Sample, type SampleSource, type TrainBatch } from '@ssseg/core';
import { defaultStrongPipeline, defaultWeakFor } from '../augment/pipeline';
import { collateLabelled, collateUnlabelled, type UnlabelledViews } from './collate';
import { IMAGENET_NORMALISATION, sampleToInput, type Normalisation } from './normalise';

export interface LoaderOptions {
  dataset: Dataset;
  batchSize: number;
  /** Unlabelled images per step; default batchSize. */
  unlabelledBatchSize?: number;
  /** Strong views per unlabelled image (0 with useUnlabelled: weak view only). */
  strongViews?: number;
  /** Draw unlabelled batches; default: strongViews > 0. Without, an epoch is one pass over the labelled set. */
  useUnlabelled?: boolean;
  /** Weak (geometric) pipeline for every image; default the dataset's own, else UniMatch's at its cropSize. */
  weak?: Augmentation;
  /** Strong pipeline applied to the weak view of unlabelled images; default UniMatch's. */
  strong?: Augmentation;
  /** Crop size of the default weak pipeline; default the dataset's `cropSize`. */
  cropSize?: number;
  /** The loader forks its own stream from it (without advancing it). */
  rng: Rng;
  normalise?: Normalisation;
  /** Batches prepared ahead of the one being trained on (default DEFAULT_PREFETCH). */
  prefetch?: number;
}

export const DEFAULT_PREFETCH = 2;

/** Saved with a checkpoint so a resumed run sees the same data order and augmentations. */
export interface LoaderState {
  epoch: number;
  /** Next step within the epoch. */
  step: number;
  seed: RngState;
}

interface PreparedBatch {
  labelled: Sample[];
  unlabelled?: UnlabelledViews[];
}

/**
 * Batches for training. A semi-supervised epoch is one pass over the unlabelled set (drop last),
 * with the labelled set reshuffled and repeated to match; a supervised epoch is one pass over the
 * labelled set. Orders and augmentations come from streams keyed by (epoch, step, slot), so they do
 * not depend on prefetching or on where a run resumed. Samples are read and augmented `prefetch`
 * batches ahead; tensors are only made when a batch is handed out (the consumer disposes them).
 */
export class DataLoader {
  readonly batchSize: number;
  readonly unlabelledBatchSize: number;
  readonly strongViews: number;
  readonly useUnlabelled: boolean;
  readonly stepsPerEpoch: number;
  readonly imagesPerStep: number;
  readonly normalisation: Normalisation;
  private readonly labelledSource: SampleSource;
  private readonly unlabelledSource?: SampleSource;
  private readonly weak: Augmentation;
  private readonly strong: Augmentation;
  private readonly prefetch: number;
  private seed: RngState;
  private position = { epoch: 0, step: 0 };

  constructor(options: LoaderOptions) {
    const { dataset } = options;
    this.batchSize = positiveInt(options.batchSize, 'batchSize', 'loader');
    this.unlabelledBatchSize = positiveInt(options.unlabelledBatchSize ?? options.batchSize, 'unlabelledBatchSize', 'loader');
    this.strongViews = options.strongViews ?? 0;
    this.useUnlabelled = options.useUnlabelled ?? this.strongViews > 0;
    this.prefetch = Math.max(0, options.prefetch ?? DEFAULT_PREFETCH);
    this.normalisation = options.normalise ?? IMAGENET_NORMALISATION;
    this.labelledSource = dataset.labelled();
    if (this.labelledSource.length === 0) throw new SssegError(`dataset ${dataset.type} has no labelled images`);
    this.weak = options.weak ?? defaultWeakFor(dataset, options.cropSize);
    this.strong = options.strong ?? defaultStrongPipeline();
    if (this.useUnlabelled) {
      this.unlabelledSource = dataset.unlabelled();
      if (this.unlabelledSource.length < this.unlabelledBatchSize) {
        throw new SssegError(`dataset ${dataset.type} has ${this.unlabelledSource.length} unlabelled images, fewer than one batch of ${this.unlabelledBatchSize}`);
      }
      this.stepsPerEpoch = Math.floor(this.unlabelledSource.length / this.unlabelledBatchSize);
    } else {
      this.stepsPerEpoch = Math.max(1, Math.floor(this.labelledSource.length / this.batchSize));
    }
    this.imagesPerStep = this.batchSize + (this.useUnlabelled ? this.unlabelledBatchSize : 0);
    const forked = options.rng.fork('data-loader');
    this.seed = forked.state();
  }

  state(): LoaderState {
    return { ...this.position, seed: [...this.seed] as RngState };
  }

  restore(state: unknown): void {
    const s = state as LoaderState;
    if (!s || !Number.isInteger(s.epoch) || !Number.isInteger(s.step) || s.step < 0 || s.step > this.stepsPerEpoch) {
      throw new SssegError(`invalid data loader state ${JSON.stringify(state)}: expected { epoch, step <= ${this.stepsPerEpoch}, seed }`);
    }
    this.seed = Rng.fromState(s.seed).state();
    this.position = { epoch: s.epoch, step: s.step };
  }

  /** Normalised model input [1, H, W, 3] for a (validation) sample. */
  toInput(sample: Sample): tf.Tensor4D {
    return sampleToInput(sample, this.normalisation);
  }

  /** Sample indices of an epoch, the same whenever asked. */
  epochOrder(epoch: number): { labelled: number[]; unlabelled?: number[] } {
    const rng = Rng.fromSeed(`${this.seed.join(':')}:order:${epoch}`);
    const unlabelled = this.unlabelledSource ? rng.shuffle([...Array(this.unlabelledSource.length).keys()]) : undefined;
    const needed = this.stepsPerEpoch * this.batchSize;
    const labelled: number[] = [];
    // whole reshuffled passes, so every labelled image appears equally often (within one)
    while (labelled.length < needed) labelled.push(...rng.shuffle([...Array(this.labelledSource.length).keys()]));
    return { labelled: labelled.slice(0, needed), unlabelled };
  }

  /** The batches of `epoch` from the current position (a restored loader resumes mid-epoch). */
  async *epoch(epoch: number): AsyncGenerator<TrainBatch> {
    if (this.position.epoch !== epoch) this.position = { epoch, step: 0 };
    const order = this.epochOrder(epoch);
    const pending = new Map<number, Promise<PreparedBatch>>();
    const schedule = (step: number) => {
      if (step >= this.stepsPerEpoch || pending.has(step)) return;
      const p = this.prepare(epoch, step, order);
      p.catch(() => undefined); // awaited below; this only keeps a failure from being reported as unhandled
      pending.set(step, p);
    };
    for (let step = this.position.step; step < this.stepsPerEpoch; step++) {
      for (let k = 0; k <= this.prefetch; k++) schedule(step + k);
      const prepared = await pending.get(step)!;
      pending.delete(step);
      this.position = { epoch, step: step + 1 };
      yield this.collate(prepared);
    }
    this.position = { epoch: epoch + 1, step: 0 };
  }

  private collate(prepared: PreparedBatch): TrainBatch {
    const labelled = collateLabelled(prepared.labelled, this.normalisation);
    if (!prepared.unlabelled) return { labelled };
    try {
      return { labelled, unlabelled: collateUnlabelled(prepared.unlabelled, this.normalisation) };
    } catch (err) {
      tf.dispose([labelled.images, labelled.masks]);
      throw err;
    }
  }

  private async prepare(epoch: number, step: number, order: { labelled: number[]; unlabelled?: number[] }): Promise<PreparedBatch> {
    const key = `${this.seed.join(':')}:${epoch}:${step}`;
    const labelledIds = order.labelled.slice(step * this.batchSize, (step + 1) * this.batchSize);
    const unlabelledIds = order.unlabelled?.slice(step * this.unlabelledBatchSize, (step + 1) * this.unlabelledBatchSize);
    const [labelledRaw, unlabelledRaw] = await Promise.all([
      Promise.all(labelledIds.map((i) => this.labelledSource.get(i))),
      unlabelledIds ? Promise.all(unlabelledIds.map((i) => this.unlabelledSource!.get(i))) : undefined,
    ]);
    const labelled = labelledRaw.map((s, slot) => this.weak.apply(s, Rng.fromSeed(`${key}:l${slot}`)));
    const unlabelled = unlabelledRaw?.map((s, slot) => {
      const weak = this.weak.apply(s, Rng.fromSeed(`${key}:u${slot}:weak`));
      const strong = [...Array(this.strongViews).keys()].map((v) => this.strong.apply(weak, Rng.fromSeed(`${key}:u${slot}:strong${v}`)));
      return { weak, strong };
    });
    return { labelled, unlabelled };
  }
}

export function createLoader(options: LoaderOptions): DataLoader {
  return new DataLoader(options);
}

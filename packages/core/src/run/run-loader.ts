import type { tf } from '@ssseg/engine';
import type { Container } from 'inversify';
import type { Rng } from '../rng';
import type { RunConfig as ValidatedRunConfig } from '../config/schema';
import type { Dataset, Method, Regularizer, Sample, SegmentationModel, TeacherStrategy, TrainBatch } from '../tokens';

/** A run's components as the runner's assembleRun builds them: what a data loader and the run's hooks work with. */
export interface AssembledRun {
  config: ValidatedRunConfig;
  dataset: Dataset;
  /** The student. */
  model: SegmentationModel;
  method: Method;
  regularizers: Regularizer[];
  rng: Rng;
  /** The teacher strategy the method uses, when it has one (its state goes into checkpoints). */
  teacher?: TeacherStrategy;
  /** The run's container: components built later (hooks, metrics) can inject run services from it. */
  scope: Container;
}

/** What a training run needs from the data pipeline. */
export interface RunLoader {
  /** Optimizer steps in one epoch. */
  readonly stepsPerEpoch: number;
  /** Images per step (labelled + unlabelled), for throughput. */
  readonly imagesPerStep: number;
  /** The batches of an epoch from the current position (a restored loader resumes mid-epoch). */
  epoch(epoch: number): AsyncIterable<TrainBatch>;
  /** Normalised model input [1, H, W, 3] for a validation sample. */
  toInput(sample: Sample): tf.Tensor4D;
  state(): unknown;
  restore(state: unknown): void;
}

export type RunLoaderFactory = (run: AssembledRun) => RunLoader;

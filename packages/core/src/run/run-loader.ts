import type { tf } from '@ssseg/engine';
import type { Sample, TrainBatch } from '../tokens';
import type { AssembledRun } from './assemble';

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

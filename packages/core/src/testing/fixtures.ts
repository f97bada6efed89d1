// Test fixtures shared by the cross-package tests and the queue's worker tests: a learnable tiny
// dataset, a tiny model and a plain supervised method as a plugin, and a deterministic loader.
import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { ComponentOptions, Dataset, Method, SegmentationModel, type Sample, type SampleSource, type StepLosses, type TrainBatch } from '../tokens';
import { Rng } from '../rng';
import { TinySegmentationModel } from '../tiny-model';
import { componentType, definePlugin, provide } from '../plugin';
import type { AssembledRun } from '../run/run-loader';
import type { RunLoader } from '../run/run-loader';

/** Images whose class is where the red channel is high: learnable by a tiny conv net. */
export function stripeSample(id: string, seed: number, size = 8): Sample {
  const rng = Rng.fromSeed(`${id}:${seed}`);
  const image = new Float32Array(size * size * 3);
  const mask = new Uint8Array(size * size);
  for (let i = 0; i < size * size; i++) {
    const on = rng.bernoulli(0.5);
    image[i * 3] = on ? 0.8 + 0.2 * rng.next() : 0.2 * rng.next();
    image[i * 3 + 1] = rng.next();
    image[i * 3 + 2] = rng.next();
    mask[i] = on ? 1 : 0;
  }
  return { id, height: size, width: size, image, mask };
}

function source(prefix: string, n: number): SampleSource {
  return { length: n, id: (i) => `${prefix}${i}`, get: async (i) => stripeSample(`${prefix}${i}`, 1) };
}

@injectable()
export class StripesDataset implements Dataset {
  static options = z.object({
    train: z.number().int().default(8),
    val: z.number().int().default(4),
    /** The split a compare matrix names (`splits:`); the stripes are the same for every split. */
    split: z.string().optional(),
  });
  static readonly type = 'stripes';
  readonly type = componentType(this);
  readonly numClasses = 2;
  readonly classNames = ['background', 'stripe'];
  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof StripesDataset.options>) {}
  labelled() {
    return source('l', this.opts.train);
  }
  unlabelled() {
    return source('u', this.opts.train);
  }
  validation() {
    return source('v', this.opts.val);
  }
}

@injectable()
export class TinyModel extends TinySegmentationModel {
  static options = z.object({ numClasses: z.number().int(), seed: z.number().int().default(1), width: z.number().int().default(4) });
  constructor(@inject(ComponentOptions) opts: ComponentOptions<typeof TinyModel.options>) {
    super(opts);
  }
}

/** Cross-entropy on labelled pixels, written with plain tf ops so it depends on no loss package. */
@injectable()
export class PlainSupervised {
  static options = z.object({});
  static readonly type = 'plain-supervised';
  readonly type = componentType(this);
  readonly usesUnlabelled = false;
  readonly strongViews = 0;
  constructor(@inject(SegmentationModel) private readonly student: SegmentationModel) {}
  evalModel() {
    return this.student;
  }
  losses(batch: TrainBatch): StepLosses {
    const logits = this.student.forward(batch.labelled.images, { training: true }).logits;
    const onehot = tf.oneHot(batch.labelled.masks.flatten(), 2).reshape(logits.shape);
    const sup = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
    return { total: sup, terms: { sup } };
  }
  afterStep() {}
}

export const fixturesPlugin = definePlugin({
  name: 'ssseg-test-fixtures',
  version: '0.0.0',
  module: new ContainerModule(({ bind }) => {
    provide(bind, Dataset, StripesDataset);
    provide(bind, SegmentationModel, TinyModel);
    provide(bind, Method, PlainSupervised as never);
  }),
});

/**
 * A deterministic loader: the labelled list shuffled per epoch from the seed, batches of
 * `batchSize`, a position that checkpoints and restores mid-epoch.
 */
export function stripesLoader(run: AssembledRun): RunLoader {
  const batchSize = run.config.train.batchSize;
  const labelled = run.dataset.labelled();
  const stepsPerEpoch = Math.floor(labelled.length / batchSize);
  let position = { epoch: 0, batch: 0 };
  const order = (epoch: number) => Rng.fromSeed(`${run.config.train.seed}:${epoch}`).shuffle([...Array(labelled.length).keys()]);
  const toInput = (s: Sample) => tf.tensor4d(s.image, [1, s.height, s.width, 3]);
  return {
    stepsPerEpoch,
    imagesPerStep: batchSize,
    toInput,
    state: () => ({ ...position }),
    restore: (s) => {
      position = { ...(s as typeof position) };
    },
    async *epoch(epoch: number) {
      if (position.epoch !== epoch) position = { epoch, batch: 0 };
      const ids = order(epoch);
      while (position.batch < stepsPerEpoch) {
        const samples = await Promise.all(ids.slice(position.batch * batchSize, (position.batch + 1) * batchSize).map((i) => labelled.get(i)));
        position = { epoch, batch: position.batch + 1 };
        const [h, w] = [samples[0].height, samples[0].width];
        yield {
          labelled: {
            images: tf.tensor4d(Float32Array.from(samples.flatMap((s) => Array.from(s.image))), [samples.length, h, w, 3]),
            masks: tf.tensor3d(Int32Array.from(samples.flatMap((s) => Array.from(s.mask!))), [samples.length, h, w], 'int32'),
          },
        };
      }
      position = { epoch: epoch + 1, batch: 0 };
    },
  };
}

import { tf } from '@ssseg/engine';
import type { Sample, SampleSource } from '@ssseg/core';
import { IMAGENET_NORMALISATION, normaliseInto, type Normalisation } from './normalise';

export interface ValidationBatch {
  /** [B, H, W, 3] normalised full images. */
  images: tf.Tensor4D;
  /** [B, H, W] int32 labels (255 = ignore). */
  masks: tf.Tensor3D;
  samples: Sample[];
}

/**
 * Validation samples at full size, in order: batches of consecutive same-size images, up to
 * `batchSize` (1 by default, as UniMatch evaluates). The next sample is read while one is used.
 * The consumer disposes each batch's tensors.
 */
export async function* validationBatches(
  source: SampleSource,
  options: { batchSize?: number; normalise?: Normalisation; limit?: number } = {},
): AsyncGenerator<ValidationBatch> {
  const batchSize = options.batchSize ?? 1;
  const n = Math.min(source.length, options.limit ?? Infinity);
  const norm = options.normalise ?? IMAGENET_NORMALISATION;
  let group: Sample[] = [];
  let next: Promise<Sample> | undefined = n > 0 ? source.get(0) : undefined;
  for (let i = 0; i < n; i++) {
    const sample = await next!;
    next = i + 1 < n ? source.get(i + 1) : undefined;
    next?.catch(() => undefined);
    if (group.length > 0 && (group.length === batchSize || group[0].height !== sample.height || group[0].width !== sample.width)) {
      yield stack(group, norm);
      group = [];
    }
    group.push(sample);
  }
  if (group.length > 0) yield stack(group, norm);
}

function stack(samples: Sample[], norm: Normalisation): ValidationBatch {
  const { height: h, width: w } = samples[0];
  const images = new Float32Array(samples.length * h * w * 3);
  const masks = new Int32Array(samples.length * h * w).fill(255);
  samples.forEach((s, i) => {
    normaliseInto(s.image, norm, images, i * h * w * 3);
    if (s.mask) masks.set(s.mask, i * h * w);
  });
  return { images: tf.tensor4d(images, [samples.length, h, w, 3]), masks: tf.tensor3d(masks, [samples.length, h, w], 'int32'), samples };
}

import { tf } from '@ssseg/engine';
import type { Sample } from '@ssseg/core';

export interface Normalisation {
  mean: [number, number, number];
  std: [number, number, number];
}

/** ImageNet statistics, as torchvision and UniMatch normalise. */
export const IMAGENET_NORMALISATION: Normalisation = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** Writes (x - mean) / std of an HWC image into `out` at `offset`. */
export function normaliseInto(image: Float32Array, n: Normalisation, out: Float32Array, offset: number): void {
  const [m0, m1, m2] = n.mean;
  const [s0, s1, s2] = [1 / n.std[0], 1 / n.std[1], 1 / n.std[2]];
  for (let i = 0; i < image.length; i += 3) {
    out[offset + i] = (image[i] - m0) * s0;
    out[offset + i + 1] = (image[i + 1] - m1) * s1;
    out[offset + i + 2] = (image[i + 2] - m2) * s2;
  }
}

/** A sample's normalised image as model input [1, H, W, 3]. */
export function sampleToInput(sample: Sample, n: Normalisation = IMAGENET_NORMALISATION): tf.Tensor4D {
  const data = new Float32Array(sample.image.length);
  normaliseInto(sample.image, n, data, 0);
  return tf.tensor4d(data, [1, sample.height, sample.width, 3]);
}

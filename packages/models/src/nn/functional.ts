import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

/**
 * Bilinear resizing modes, named as ONNX's coordinate_transformation_mode:
 * 'align_corners' is tf's alignCorners (UniMatch's F.interpolate(align_corners=True));
 * 'half_pixel' is tf's halfPixelCenters (torch's align_corners=False).
 */
export type ResizeMode = 'align_corners' | 'half_pixel';

export function resizeBilinear(x: tf.Tensor4D, size: [number, number], mode: ResizeMode): tf.Tensor4D {
  if (x.shape[1] === size[0] && x.shape[2] === size[1]) return x.clone();
  return tf.image.resizeBilinear(x, size, mode === 'align_corners', mode === 'half_pixel');
}

export function resizeBilinearOnnx(graph: OnnxGraph, x: OnnxValue, size: [number, number], mode: ResizeMode, name: string): OnnxValue {
  const [n, c] = x.shape;
  const sizes = graph.int64Initializer(`${name}.sizes`, [n, c, size[0], size[1]]);
  return graph.node('Resize', [x.name, '', '', sizes.name], [n, c, size[0], size[1]], {
    mode: 'linear',
    coordinate_transformation_mode: mode,
  }, name);
}

export function concatChannels(xs: tf.Tensor4D[]): tf.Tensor4D {
  return tf.concat4d(xs, 3);
}

export function concatChannelsOnnx(graph: OnnxGraph, xs: OnnxValue[], name: string): OnnxValue {
  const [n, , h, w] = xs[0].shape;
  const channels = xs.reduce((sum, v) => sum + v.shape[1], 0);
  return graph.node('Concat', xs.map((v) => v.name), [n, channels, h, w], { axis: 1 }, name);
}

/**
 * Dropout2d (channel dropout): each (image, channel) is zeroed with probability p and the rest
 * scaled by 1 / (1 - p). The mask comes from the seeded Rng, not tf's unseeded random ops.
 */
export function channelDropout(x: tf.Tensor4D, p: number, rng: Rng): tf.Tensor4D {
  const [b, , , c] = x.shape;
  const keep = 1 / (1 - p);
  const mask = new Float32Array(b * c);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < p ? 0 : keep;
  return tf.tidy(() => x.mul(tf.tensor4d(mask, [b, 1, 1, c])));
}

/** x and its channel-dropped copy stacked on the batch axis: [2B, H, W, C] (UniMatch's feature perturbation). */
export function withPerturbedCopy(x: tf.Tensor4D, rng: Rng, p = 0.5): tf.Tensor4D {
  return tf.tidy(() => tf.concat4d([x, channelDropout(x, p, rng)], 0));
}

/** The clean and perturbed halves of a doubled batch. */
export function splitBatch(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const half = x.shape[0] / 2;
  return tf.split(x, [half, half], 0) as [tf.Tensor4D, tf.Tensor4D];
}

import { tf } from '@ssseg/engine';
import type { TrainBatch } from '@ssseg/core';

export interface ProbeSize {
  height: number;
  width: number;
}

/**
 * A batch of `labelled` and `unlabelled` images at `size`, made from the first image of each
 * part of a real batch: images resized bilinearly, masks, boxes and ignore maps by nearest
 * neighbour (so they keep their values), each repeated to the asked batch size.
 */
export function probeBatch(template: TrainBatch, size: ProbeSize, labelled: number, unlabelled: number): TrainBatch {
  return tf.tidy(() => {
    const t = template;
    const images = repeat(resizeImage(t.labelled.images, size), labelled);
    const masks = repeat(resizeMap(t.labelled.masks, size), labelled);
    if (!t.unlabelled) return { labelled: { images, masks } };
    const u = t.unlabelled;
    return {
      labelled: { images, masks },
      unlabelled: {
        weak: repeat(resizeImage(u.weak, size), unlabelled),
        strong: u.strong.map((s) => repeat(resizeImage(s, size), unlabelled)),
        cutmixBoxes: u.cutmixBoxes.map((b) => repeat(resizeMap(b, size), unlabelled)),
        ignore: repeat(resizeMap(u.ignore, size), unlabelled),
      },
    };
  }) as TrainBatch;
}

function resizeImage(x: tf.Tensor4D, size: ProbeSize): tf.Tensor4D {
  const first = x.slice([0, 0, 0, 0], [1, -1, -1, -1]);
  return first.shape[1] === size.height && first.shape[2] === size.width ? first : tf.image.resizeBilinear(first, [size.height, size.width]);
}

function resizeMap<T extends tf.Tensor3D>(x: T, size: ProbeSize): T {
  const first = x.slice([0, 0, 0], [1, -1, -1]);
  if (first.shape[1] === size.height && first.shape[2] === size.width) return first as T;
  const resized = tf.image.resizeNearestNeighbor(first.expandDims(3).toFloat() as tf.Tensor4D, [size.height, size.width]);
  return resized.squeeze([3]).cast(x.dtype) as T;
}

function repeat<T extends tf.Tensor>(x: T, n: number): T {
  return (n === 1 ? x : tf.tile(x, [n, ...x.shape.slice(1).map(() => 1)])) as T;
}

import { tf } from '@ssseg/engine';

/** Each image's CutMix partner: the next image of the batch (the last pairs with the first). */
export function rollBatch<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => {
    const b = x.shape[0];
    if (b < 2) return x.clone();
    return tf.concat([x.slice([1], [b - 1]), x.slice([0], [1])], 0) as T;
  });
}

/**
 * Takes the partner's values inside the box: `x * (1 - box) + roll(x) * box`. `box` is
 * [B, H, W] (1 inside) and broadcasts over a trailing channel axis of x when x has one.
 */
export function mixWithPartner<T extends tf.Tensor>(x: T, box: tf.Tensor3D): T {
  return tf.tidy(() => {
    const b = x.rank === 4 ? box.expandDims(-1) : box;
    const partner = rollBatch(x);
    if (x.dtype === 'int32') return tf.where(b.cast('bool'), partner, x) as T;
    return x.mul(tf.sub(1, b)).add(partner.mul(b)) as T;
  });
}

/** Nearest-neighbour resize of a [B, H, W] map (masks, boxes) to [h, w]. */
export function resizeMap(map: tf.Tensor3D, size: [number, number]): tf.Tensor3D {
  if (map.shape[1] === size[0] && map.shape[2] === size[1]) return map.clone();
  return tf.tidy(() => tf.image.resizeNearestNeighbor(map.expandDims(-1) as tf.Tensor4D, size).squeeze([3]) as tf.Tensor3D);
}

/** Bilinear resize of logits [B, h, w, C] to [H, W] (no-op copy when sizes match). */
export function resizeLogits(logits: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  if (logits.shape[1] === size[0] && logits.shape[2] === size[1]) return logits.clone();
  return tf.image.resizeBilinear(logits, size, false);
}

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

import { tf } from '../tf';

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
export function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  const amounts = [top, bottom, left, right];
  const padded = amounts.some((a) => a > 0)
    ? tf.pad(t, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]])
    : t;
  if (amounts.every((a) => a >= 0)) return padded;
  const [n, h, w, c] = padded.shape;
  const cropTop = Math.max(-top, 0), cropLeft = Math.max(-left, 0);
  return tf.slice(padded, [0, cropTop, cropLeft, 0], [n, h - cropTop - Math.max(-bottom, 0), w - cropLeft - Math.max(-right, 0), c]);
}

import { tf } from '@ssseg/engine';

/**
 * The mean of each k x k block of [B, h, w, F] maps: [B, ceil(h / k), ceil(w / k), F], the last row
 * and column of blocks averaging the pixels they have. Written as a reshape and a sum, whose
 * gradient is a broadcast: tfjs's average pooling has no native backward and is slow for large k.
 */
export function blockMean(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (k === 1) return x.clone();
  return tf.tidy(() => {
    const [B, h, w, F] = x.shape;
    const gh = Math.ceil(h / k), gw = Math.ceil(w / k);
    const padded = gh * k === h && gw * k === w ? x : tf.pad(x, [[0, 0], [0, gh * k - h], [0, gw * k - w], [0, 0]]);
    const sums = padded.reshape([B, gh, k, gw, k, F]).sum([2, 4]);
    const counts = new Float32Array(gh * gw);
    for (let i = 0; i < gh; i++) for (let j = 0; j < gw; j++) counts[i * gw + j] = Math.min(k, h - i * k) * Math.min(k, w - j * k);
    return sums.div(tf.tensor4d(counts, [1, gh, gw, 1])) as tf.Tensor4D;
  });
}

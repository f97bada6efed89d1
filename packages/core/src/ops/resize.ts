import { tf } from '@ssseg/engine';

/**
 * [out, in] weights of 1-D linear interpolation as PyTorch's align_corners=False samples it:
 * source coordinate `(o + 0.5) * in / out - 0.5`, clamped at the borders.
 */
function interpolationWeights(out: number, inSize: number): Float32Array {
  const w = new Float32Array(out * inSize);
  const scale = inSize / out;
  for (let o = 0; o < out; o++) {
    const src = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(src), inSize - 1);
    const hi = Math.min(lo + 1, inSize - 1);
    const t = src - lo;
    w[o * inSize + lo] += 1 - t;
    w[o * inSize + hi] += t;
  }
  return w;
}

/**
 * Bilinear resize of logits [B, h, w, C] to [H, W] as PyTorch's
 * F.interpolate(..., mode='bilinear', align_corners=False) in UniMatch (alignCorners false, half-pixel
 * centres). Written as two matrix products with the interpolation weights: tfjs's resizeBilinear
 * with halfPixelCenters computes the right values, but its ResizeBilinearGrad (cpu and wasm)
 * ignores halfPixelCenters and returns the gradient of the legacy sampling. Returns a copy when the
 * sizes already match, so callers may always dispose the result.
 */
export function resizeLogits(logits: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  if (logits.rank !== 4) throw new Error(`resizeLogits: logits must be [B, h, w, C], got shape [${logits.shape}]`);
  const [B, h, w, C] = logits.shape;
  const [H, W] = size;
  if (h === H && w === W) return logits.clone();
  return tf.tidy(() => {
    let x: tf.Tensor = logits;
    if (h !== H) {
      const rows = tf.tensor2d(interpolationWeights(H, h), [H, h]);
      x = rows.matMul(x.transpose([1, 0, 2, 3]).reshape([h, B * w * C])).reshape([H, B, w, C]).transpose([1, 0, 2, 3]);
    }
    if (w !== W) {
      const cols = tf.tensor2d(interpolationWeights(W, w), [W, w]);
      x = cols.matMul(x.transpose([2, 0, 1, 3]).reshape([w, B * H * C])).reshape([W, B, H, C]).transpose([1, 2, 0, 3]);
    }
    return x as tf.Tensor4D;
  });
}

/** Nearest-neighbour resize of a [B, H, W] map (ignore masks, confidence masks) to [h, w]. */
export function resizeMask(mask: tf.Tensor3D, size: [number, number]): tf.Tensor3D {
  if (mask.shape[1] === size[0] && mask.shape[2] === size[1]) return mask.clone();
  return tf.tidy(() => tf.image.resizeNearestNeighbor(mask.expandDims(-1) as tf.Tensor4D, size).squeeze([3]) as tf.Tensor3D);
}

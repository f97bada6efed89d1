import { tf } from '@ssseg/engine';
import type { SegmentationModel } from '../tokens';

export interface InferenceOptions {
  /** 'full': the whole image in one pass; 'sliding': overlapping crops, logits averaged. */
  mode: 'full' | 'sliding';
  /** Crop size of sliding-window inference (default: the training crop). */
  cropSize?: number;
  /** Stride between windows (default: two thirds of the crop, as UniMatch uses). */
  stride?: number;
}

/**
 * Class scores at full input resolution, [B, H, W, C], from eval-mode forward passes.
 * Sliding-window mode pads images smaller than the crop and averages overlapping windows.
 */
export function predictLogits(model: SegmentationModel, images: tf.Tensor4D, options: InferenceOptions): tf.Tensor4D {
  const [, H, W] = images.shape;
  if (options.mode === 'full') {
    return tf.tidy(() => tf.image.resizeBilinear(model.forward(images, { training: false }).logits, [H, W]));
  }
  const crop = options.cropSize;
  if (!crop) throw new Error('sliding-window inference needs eval.cropSize');
  const stride = options.stride ?? Math.max(1, Math.floor((crop * 2) / 3));
  return tf.tidy(() => {
    const padH = Math.max(0, crop - H), padW = Math.max(0, crop - W);
    const padded = padH || padW ? images.pad([[0, 0], [0, padH], [0, padW], [0, 0]]) : images;
    const [, h, w] = padded.shape;
    const starts = (size: number) => {
      const out: number[] = [];
      for (let s = 0; ; s += stride) {
        const start = Math.min(s, size - crop);
        out.push(start);
        if (start + crop >= size) break;
      }
      return out;
    };
    let sum: tf.Tensor4D | undefined;
    let count: tf.Tensor4D | undefined;
    for (const y of starts(h)) {
      for (const x of starts(w)) {
        const window = padded.slice([0, y, x, 0], [-1, crop, crop, -1]) as tf.Tensor4D;
        const logits = tf.image.resizeBilinear(model.forward(window, { training: false }).logits, [crop, crop]);
        const pad = [[0, 0], [y, h - y - crop], [x, w - x - crop], [0, 0]] as Array<[number, number]>;
        const placed = logits.pad(pad);
        const ones = tf.ones([1, crop, crop, 1]).pad(pad) as tf.Tensor4D;
        const nextSum = sum ? sum.add(placed) : placed;
        const nextCount = count ? count.add(ones) : ones;
        if (sum) tf.dispose([sum, count!]);
        sum = tf.keep(nextSum as tf.Tensor4D);
        count = tf.keep(nextCount as tf.Tensor4D);
      }
    }
    const averaged = sum!.div(count!).slice([0, 0, 0, 0], [-1, H, W, -1]) as tf.Tensor4D;
    tf.dispose([sum!, count!]);
    return averaged;
  });
}

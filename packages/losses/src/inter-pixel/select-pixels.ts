import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';

export interface PixelSelection {
  /** Per image, the kept pixels as indices into the flattened [B * H * W] grid, increasing. */
  indices: Int32Array[];
  /** Confident and non-ignored pixels over non-ignored pixels, before any sampling (0 when all are ignored). */
  confidentShare: number;
}

/**
 * The confidence mask of the inter-pixel term: pixel i of image b is kept when the teacher's
 * top probability reaches `confThreshold` and the pixel is not ignored; when more than
 * `maxPixels` remain, that many are drawn without replacement with `rng` (image by image, in order).
 * `teacherProbs` is [B, H, W, C], `ignoreMask` [B, H, W] with 1 = ignore.
 */
export function selectPixels(
  teacherProbs: tf.Tensor4D,
  ignoreMask: tf.Tensor3D | undefined,
  confThreshold: number,
  maxPixels: number | null,
  rng: Rng | undefined,
): PixelSelection {
  const [B, H, W] = teacherProbs.shape;
  const perImage = H * W;
  const confidence = tf.tidy(() => teacherProbs.max(-1));
  const conf = confidence.dataSync();
  confidence.dispose();
  const ignore = ignoreMask ? ignoreMask.dataSync() : undefined;
  const indices: Int32Array[] = [];
  let confident = 0;
  let valid = 0;
  for (let b = 0; b < B; b++) {
    const kept: number[] = [];
    for (let i = b * perImage; i < (b + 1) * perImage; i++) {
      if (ignore && ignore[i] >= 0.5) continue;
      valid++;
      if (conf[i] >= confThreshold) kept.push(i);
    }
    confident += kept.length;
    if (maxPixels !== null && kept.length > maxPixels) {
      if (!rng) throw new Error('interPixelLoss: maxPixels sampling needs options.rng (a seeded Rng from @ssseg/core)');
      indices.push(Int32Array.from(rng.sampleIndices(kept.length, maxPixels), (k) => kept[k]));
    } else {
      indices.push(Int32Array.from(kept));
    }
  }
  return { indices, confidentShare: valid ? confident / valid : 0 };
}

import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';

export interface PixelSelection {
  /** Per image, the kept confident pixels as indices into the flattened [B * H * W] grid, increasing. */
  confident: Int32Array[];
  /**
   * Per image, every non-ignored pixel except the confident ones that `perClass` or `maxPixels`
   * left out, increasing. Only filled when `withAll` is set (empty arrays otherwise).
   */
  all: Int32Array[];
  /** Confident and non-ignored pixels over non-ignored pixels, before any thinning (0 when all are ignored). */
  confidentShare: number;
}

export interface SelectOptions {
  confThreshold: number;
  /** Per image, at most this many confident pixels of each teacher class, evenly in raster order. */
  perClass: number | null;
  /** Per image, at most this many confident pixels (after perClass), drawn with `rng`. */
  maxPixels: number | null;
  rng?: Rng;
  withAll: boolean;
}

/**
 * The pixel sets of the inter-pixel term. Pixel i of image b is confident when the teacher's top
 * probability reaches `confThreshold` and the pixel is not ignored. Of each teacher class's n
 * confident pixels of an image, `perClass` K keeps those at raster positions floor(k n / K),
 * k = 0..K-1 (all when n <= K); then, when more than `maxPixels` remain, that many are drawn
 * without replacement with `rng` (image by image, in order).
 * `teacherProbs` is [B, H, W, C], `ignoreMask` [B, H, W] with 1 = ignore.
 */
export function selectPixels(teacherProbs: tf.Tensor4D, ignoreMask: tf.Tensor3D | undefined, o: SelectOptions): PixelSelection {
  const [B, H, W] = teacherProbs.shape;
  const perImage = H * W;
  const [confidence, classes] = tf.tidy(() => [teacherProbs.max(-1), o.perClass !== null ? teacherProbs.argMax(-1) : tf.zeros([0])]);
  const conf = confidence.dataSync();
  const argmax = classes.dataSync();
  tf.dispose([confidence, classes]);
  const ignore = ignoreMask ? ignoreMask.dataSync() : undefined;
  const confident: Int32Array[] = [];
  const all: Int32Array[] = [];
  let confidentCount = 0;
  let valid = 0;
  for (let b = 0; b < B; b++) {
    let kept: number[] = [];
    for (let i = b * perImage; i < (b + 1) * perImage; i++) {
      if (ignore && ignore[i] >= 0.5) continue;
      valid++;
      if (conf[i] >= o.confThreshold) kept.push(i);
    }
    confidentCount += kept.length;
    if (o.perClass !== null) kept = evenlyPerClass(kept, argmax, o.perClass);
    if (o.maxPixels !== null && kept.length > o.maxPixels) {
      if (!o.rng) throw new Error('interPixelLoss: maxPixels sampling needs options.rng (a seeded Rng from @ssseg/core)');
      kept = o.rng.sampleIndices(kept.length, o.maxPixels).map((k) => kept[k]);
    }
    confident.push(Int32Array.from(kept));
    all.push(o.withAll ? nonIgnoredExceptDropped(b * perImage, perImage, ignore, conf, o.confThreshold, kept) : new Int32Array(0));
  }
  return { confident, all, confidentShare: valid ? confidentCount / valid : 0 };
}

/** Of each class's n pixels (in the given raster order), those at positions floor(k n / K), k < K. */
function evenlyPerClass(pixels: number[], argmax: ArrayLike<number>, K: number): number[] {
  const byClass = new Map<number, number[]>();
  for (const i of pixels) {
    const list = byClass.get(argmax[i]);
    if (list) list.push(i);
    else byClass.set(argmax[i], [i]);
  }
  const kept: number[] = [];
  for (const list of byClass.values()) {
    const n = list.length;
    if (n <= K) kept.push(...list);
    else for (let k = 0; k < K; k++) kept.push(list[Math.floor((k * n) / K)]);
  }
  return kept.sort((x, y) => x - y);
}

/** Non-ignored pixels of one image: the unconfident ones and the confident ones still in `kept`. */
function nonIgnoredExceptDropped(
  start: number,
  count: number,
  ignore: ArrayLike<number> | undefined,
  conf: ArrayLike<number>,
  confThreshold: number,
  kept: number[],
): Int32Array {
  const keptSet = new Set(kept);
  const out: number[] = [];
  for (let i = start; i < start + count; i++) {
    if (ignore && ignore[i] >= 0.5) continue;
    if (conf[i] < confThreshold || keptSet.has(i)) out.push(i);
  }
  return Int32Array.from(out);
}

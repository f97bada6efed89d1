import { tf } from '@ssseg/engine';
import { noGradient, type Rng } from '@ssseg/core';
import { resizeBilinear } from '@ssseg/models';
import type { ViewCorrelation } from './correlation-head';

/**
 * The rows of the correlation whose regions label propagation reads: `count` grid pixels drawn
 * uniformly with replacement, one draw for the whole batch, from the first N - 1 of the N grid
 * pixels (the official sampling never draws the last).
 */
export function sampleRows(rng: Rng, gridPixels: number, count: number): number[] {
  return Array.from({ length: count }, () => rng.int(Math.max(1, gridPixels - 1)));
}

/**
 * Each sampled pixel's region, per image: its correlation row brought to `size` (bilinear, aligned
 * corners), min-max normalised over the image and kept where above 0.5. Returns per image the
 * regions as 0/1, row after row ([rows.length * H * W]). No gradient flows through it.
 */
export function correlationRegions({ correlation, grid }: ViewCorrelation, rows: number[], size: [number, number]): Uint8Array[] {
  const [B, N] = correlation.shape;
  const [H, W] = size;
  return noGradient(() => Array.from({ length: B }, (_, b) => {
    const kept = tf.tidy(() => {
      const image = correlation.slice([b, 0, 0], [1, N, N]).reshape([N, N]);
      const sampled = tf.gather(image, tf.tensor1d(rows, 'int32')).reshape([rows.length, grid[0], grid[1], 1]) as tf.Tensor4D;
      const maps = resizeBilinear(sampled, size, 'align_corners').reshape([rows.length, H * W]);
      const lowest = maps.min(1, true);
      return maps.sub(lowest).div(maps.max(1, true).sub(lowest)).greater(0.5);
    });
    // read outside tidy, which would walk a returned array element by element
    const regions = kept.dataSync() as Uint8Array;
    kept.dispose();
    return regions;
  }));
}

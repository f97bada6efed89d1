import type { Rng } from '@ssseg/core';
import type { Item } from './draw-item';

const PLACEMENT_TRIES = 20;

/**
 * A uniform position for an item on a `size` x `size` canvas whose mask holds the items drawn so
 * far, redrawn (up to 20 times) while more than `maxOverlap` of the item's silhouette (grey level
 * >= `threshold`) would land on earlier items, so every item stays mostly visible.
 */
export function placeItem(mask: Uint8Array, size: number, item: Item, threshold: number, maxOverlap: number, rng: Rng): { x0: number; y0: number } {
  let foreground = 0;
  for (let i = 0; i < item.pixels.length; i++) if (item.pixels[i] >= threshold) foreground++;
  let x0 = 0, y0 = 0;
  for (let t = 0; t < PLACEMENT_TRIES; t++) {
    x0 = rng.int(size - item.cols + 1);
    y0 = rng.int(size - item.rows + 1);
    let covered = 0;
    for (let y = 0; y < item.rows; y++) {
      for (let x = 0; x < item.cols; x++) {
        if (item.pixels[y * item.cols + x] >= threshold && mask[(y0 + y) * size + x0 + x] !== 0) covered++;
      }
    }
    if (covered <= maxOverlap * foreground) break;
  }
  return { x0, y0 };
}

/** An item's grey-level image: rows x cols, 0 where the item is absent. */
export interface Item {
  pixels: Uint8Array;
  rows: number;
  cols: number;
}

/** A canvas being composited: HWC RGB in [0, 1] and its label mask (0 background). */
export interface Layer {
  size: number;
  image: Float32Array;
  mask: Uint8Array;
}

/** How an item's grey level v (1..255) is drawn: its opacity and its colour, RGB in [0, 1]. */
export interface ItemPaint {
  alpha(v: number): number;
  colour(v: number): readonly number[];
}

/**
 * Draws an item with its top-left corner at (x0, y0), over whatever is there: colours blend by the
 * paint's opacity; pixels of grey level >= `threshold` (0..255) take `label` in the mask, so an item
 * drawn later occludes earlier ones in the mask where its silhouette covers them.
 */
export function drawItem(layer: Layer, item: Item, x0: number, y0: number, label: number, threshold: number, paint: ItemPaint): void {
  const { image, mask, size } = layer;
  for (let y = 0; y < item.rows; y++) {
    for (let x = 0; x < item.cols; x++) {
      const v = item.pixels[y * item.cols + x];
      if (v === 0) continue;
      const p = (y0 + y) * size + x0 + x;
      const alpha = paint.alpha(v);
      const colour = paint.colour(v);
      for (let c = 0; c < 3; c++) image[3 * p + c] = image[3 * p + c] * (1 - alpha) + colour[c] * alpha;
      if (v >= threshold) mask[p] = label;
    }
  }
}

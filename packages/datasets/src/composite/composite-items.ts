import type { Rng } from '@ssseg/core';
import { drawItem, type ItemPaint, type Layer } from './draw-item';
import type { LabelledImages } from './idx';
import { placeItem } from './place-item';

const { round } = Math; // bound once: a global lookup per pixel is slow inside jest's vm sandbox

export interface CompositeOptions {
  canvas: number;
  minItems: number;
  maxItems: number;
  /** Grey level in [0, 1] from which an item pixel is labelled as the item. */
  threshold: number;
  /** Largest share of a new item's silhouette that may land on earlier items. */
  maxOverlap: number;
}

export interface Composite {
  /** HWC RGB, 0..255. */
  image: Uint8Array;
  /** HW, 0 background, item label + 1 elsewhere. */
  mask: Uint8Array;
}

/** What a composite dataset draws: the background and each item's look. */
export interface CompositeStyle {
  /** Fills the canvas's HWC RGB image with values in [0, 1]. */
  background(image: Float32Array, size: number, rng: Rng): void;
  /** How one item is drawn, given the threshold grey level (0..255); drawn after its position. */
  itemPaint(rng: Rng, threshold: number): ItemPaint;
}

/**
 * One canvas of `minItems` to `maxItems` items drawn at random from `items`: the style's
 * background, then each item placed (`placeItem`) and drawn (`drawItem`) in turn, later items over
 * earlier ones. Every draw comes from `rng`, so one stream gives one composite.
 */
export function compositeItems(items: LabelledImages, rng: Rng, o: CompositeOptions, style: CompositeStyle): Composite {
  const n = o.canvas * o.canvas;
  const layer: Layer = { size: o.canvas, image: new Float32Array(n * 3), mask: new Uint8Array(n) };
  style.background(layer.image, o.canvas, rng);
  const threshold = round(o.threshold * 255);
  const count = o.minItems + rng.int(o.maxItems - o.minItems + 1);
  const area = items.rows * items.cols;
  for (let k = 0; k < count; k++) {
    const index = rng.int(items.count);
    const item = { pixels: items.pixels.subarray(index * area, (index + 1) * area), rows: items.rows, cols: items.cols };
    const { x0, y0 } = placeItem(layer.mask, o.canvas, item, threshold, o.maxOverlap, rng);
    drawItem(layer, item, x0, y0, items.labels[index] + 1, threshold, style.itemPaint(rng, threshold));
  }
  const image = new Uint8Array(n * 3);
  for (let i = 0; i < image.length; i++) image[i] = round(layer.image[i] * 255);
  return { image, mask: layer.mask };
}

import { Rng } from '@ssseg/core';
import type { MnistDigits } from './idx';

export interface CompositeOptions {
  canvas: number;
  minDigits: number;
  maxDigits: number;
  /** Grey level in [0, 1] from which a digit pixel is labelled as the digit. */
  threshold: number;
  /** Largest share of a new digit's foreground that may land on earlier foreground. */
  maxOverlap: number;
}

export interface Composite {
  /** HWC RGB, 0..255. */
  image: Uint8Array;
  /** HW, 0 background, digit + 1 elsewhere. */
  mask: Uint8Array;
}

const PLACEMENT_TRIES = 20;

/**
 * One canvas of 2 to 4 MNIST digits. The background is a gradient of two dark random colours;
 * each digit gets a bright random colour, alpha-blended by its grey level. Overlap rules: later
 * digits paint over earlier ones (their foreground pixels take the label and the colour), a
 * position is redrawn (up to 20 times) while more than `maxOverlap` of the new digit's foreground
 * would cover earlier foreground, so every digit stays mostly visible.
 */
export function compositeDigits(digits: MnistDigits, rng: Rng, o: CompositeOptions): Composite {
  const { canvas } = o;
  const size = digits.rows;
  const n = canvas * canvas;
  const image = new Float32Array(n * 3);
  const mask = new Uint8Array(n);
  // background: a linear gradient between two dark colours along a random direction
  const from = [rng.uniform(0, 0.3), rng.uniform(0, 0.3), rng.uniform(0, 0.3)];
  const to = [rng.uniform(0, 0.3), rng.uniform(0, 0.3), rng.uniform(0, 0.3)];
  const angle = rng.uniform(0, 2 * Math.PI);
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const span = (Math.abs(dx) + Math.abs(dy)) * canvas || 1;
  for (let y = 0; y < canvas; y++) {
    for (let x = 0; x < canvas; x++) {
      const t = ((x - canvas / 2) * dx + (y - canvas / 2) * dy) / span + 0.5;
      for (let c = 0; c < 3; c++) image[3 * (y * canvas + x) + c] = from[c] + (to[c] - from[c]) * t;
    }
  }
  const threshold = Math.round(o.threshold * 255);
  const count = o.minDigits + rng.int(o.maxDigits - o.minDigits + 1);
  for (let d = 0; d < count; d++) {
    const index = rng.int(digits.count);
    const label = digits.labels[index] + 1;
    const pixels = digits.pixels.subarray(index * size * size, (index + 1) * size * size);
    let foreground = 0;
    for (let i = 0; i < pixels.length; i++) if (pixels[i] >= threshold) foreground++;
    let x0 = 0, y0 = 0;
    for (let t = 0; t < PLACEMENT_TRIES; t++) {
      x0 = rng.int(canvas - size + 1);
      y0 = rng.int(canvas - size + 1);
      let covered = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          if (pixels[y * size + x] >= threshold && mask[(y0 + y) * canvas + x0 + x] !== 0) covered++;
        }
      }
      if (covered <= o.maxOverlap * foreground) break;
    }
    const colour = brightColour(rng);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const v = pixels[y * size + x];
        if (v === 0) continue;
        const p = (y0 + y) * canvas + x0 + x;
        const alpha = v / 255;
        for (let c = 0; c < 3; c++) image[3 * p + c] = image[3 * p + c] * (1 - alpha) + colour[c] * alpha;
        if (v >= threshold) mask[p] = label;
      }
    }
  }
  const bytes = new Uint8Array(n * 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round(image[i] * 255);
  return { image: bytes, mask };
}

/** A saturated colour of value >= 0.7, so digits contrast with the dark background. */
function brightColour(rng: Rng): number[] {
  const hue = rng.next() * 6;
  const value = rng.uniform(0.7, 1);
  const saturation = rng.uniform(0.3, 1);
  const f = hue - Math.floor(hue);
  const p = value * (1 - saturation), q = value * (1 - saturation * f), t = value * (1 - saturation * (1 - f));
  return [[value, t, p], [q, value, p], [p, value, t], [p, q, value], [t, p, value], [value, p, q]][Math.floor(hue) % 6];
}

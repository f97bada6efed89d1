import type { Rng } from '@ssseg/core';
import { addGrain, fillChecker, fillLinearGradient, fillStripes, fillValueNoise } from '../composite/backgrounds';
import { randomColour } from '../composite/colour';
import type { CompositeStyle } from '../composite/composite-items';

/** Darkest shade of an item's tint, at its faintest pixels, so dark products stay visible. */
const SHADE_FLOOR = 0.35;

/** One of four textures between two random colours of mid value, with grain on top. */
function texturedBackground(image: Float32Array, size: number, rng: Rng): void {
  const from = randomColour(rng, [0.1, 0.7], [0, 0.8]);
  const to = randomColour(rng, [0.1, 0.7], [0, 0.8]);
  switch (rng.int(4)) {
    case 0:
      fillLinearGradient(image, size, from, to, rng.uniform(0, 2 * Math.PI));
      break;
    case 1:
      fillStripes(image, size, from, to, rng.uniform(0, Math.PI), rng.uniform(4, 16), rng.uniform(0, 2 * Math.PI));
      break;
    case 2:
      fillChecker(image, size, from, to, 4 + rng.int(9), rng.int(16), rng.int(16));
      break;
    default:
      fillValueNoise(image, size, from, to, 4 + rng.int(13), rng);
  }
  addGrain(image, size, 0.06, rng);
}

/**
 * fashion-seg's look: a textured background (gradient, stripes, checkerboard or smooth noise, with
 * grain); each product photograph tinted with a random colour and shaded by its grey level, so its
 * own texture shows. A product is opaque from the threshold grey level up (exactly the pixels its
 * mask label covers: an item's silhouette hides what is under it in image and mask alike) and fades
 * out below it.
 */
export const FASHION_STYLE: CompositeStyle = {
  background: texturedBackground,
  itemPaint(rng, threshold) {
    const tint = randomColour(rng, [0.75, 1], [0, 0.8]);
    const shaded = Array.from({ length: 256 }, (_, v) => tint.map((c) => c * (SHADE_FLOOR + ((1 - SHADE_FLOOR) * v) / 255)));
    return { alpha: (v) => (v >= threshold ? 1 : v / threshold), colour: (v) => shaded[v] };
  },
};

import type { Rng } from '@ssseg/core';
import { fillLinearGradient } from '../composite/backgrounds';
import { randomColour } from '../composite/colour';
import { compositeItems, type Composite, type CompositeOptions, type CompositeStyle } from '../composite/composite-items';
import type { MnistDigits } from './idx';

/**
 * mnist-seg's look: the background is a gradient of two dark random colours; each digit gets a
 * bright random colour (value >= 0.7), alpha-blended by its grey level, so faint edges of a later
 * digit tint, but do not relabel, an earlier one.
 */
export const MNIST_STYLE: CompositeStyle = {
  background(image, size, rng) {
    const from = [rng.uniform(0, 0.3), rng.uniform(0, 0.3), rng.uniform(0, 0.3)];
    const to = [rng.uniform(0, 0.3), rng.uniform(0, 0.3), rng.uniform(0, 0.3)];
    fillLinearGradient(image, size, from, to, rng.uniform(0, 2 * Math.PI));
  },
  itemPaint(rng) {
    const colour = randomColour(rng, [0.7, 1], [0.3, 1]);
    return { alpha: (v) => v / 255, colour: () => colour };
  },
};

/** One canvas of MNIST digits in mnist-seg's style (see `compositeItems` for placement and overlap). */
export function compositeDigits(digits: MnistDigits, rng: Rng, o: CompositeOptions): Composite {
  return compositeItems(digits, rng, o, MNIST_STYLE);
}

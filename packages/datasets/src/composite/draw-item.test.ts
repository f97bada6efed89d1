import { drawItem, type Layer } from './draw-item';
import { FASHION_STYLE } from '../fashion/fashion-style';
import { Rng } from '@ssseg/core';

/** A 5x5 layer, background grey 0.5, empty mask. */
function layer(): Layer {
  return { size: 5, image: new Float32Array(75).fill(0.5), mask: new Uint8Array(25) };
}

const grid = (mask: Uint8Array) => Array.from({ length: 5 }, (_, y) => Array.from(mask.subarray(5 * y, 5 * y + 5)).join(''));

describe('drawItem', () => {
  // two 3x3 items; grey levels >= 100 form the silhouette, 40 is a faint edge, 0 is absent
  const a = { rows: 3, cols: 3, pixels: Uint8Array.from([200, 200, 0, 200, 40, 200, 0, 200, 200]) };
  const b = { rows: 3, cols: 3, pixels: Uint8Array.from([0, 255, 0, 255, 255, 255, 40, 255, 0]) };
  const opaque = { alpha: () => 1, colour: () => [1, 0, 0] };

  it('labels the silhouette (grey level >= threshold); a later item occludes an earlier one in the mask', () => {
    const l = layer();
    drawItem(l, a, 0, 0, 3, 100, opaque);
    expect(grid(l.mask)).toEqual(['33000', '30300', '03300', '00000', '00000']);
    drawItem(l, b, 1, 1, 7, 100, opaque);
    expect(grid(l.mask)).toEqual([
      '33000',
      '30700', // b's top pixel covers a's right arm (2,1); a's faint centre (1,1) stays background
      '07770', // b covers a's (1,2) and (2,2)
      '00700', // b's faint corner (1,3) labels nothing
      '00000',
    ]);
  });

  it('blends colours by the paint\'s opacity and leaves absent pixels untouched', () => {
    const l = layer();
    drawItem(l, a, 2, 2, 1, 100, { alpha: (v) => v / 255, colour: (v) => (v > 100 ? [1, 1, 1] : [0, 0, 0]) });
    const rgb = (x: number, y: number) => Array.from(l.image.subarray(3 * (5 * y + x), 3 * (5 * y + x) + 3));
    expect(rgb(2, 2)).toEqual([0.5, 0.5, 0.5].map((v) => v * (1 - 200 / 255) + 200 / 255).map(Math.fround));
    expect(rgb(3, 3)).toEqual([0.5, 0.5, 0.5].map((v) => v * (1 - 40 / 255)).map(Math.fround));
    expect(rgb(4, 2)).toEqual([0.5, 0.5, 0.5]);
    expect(rgb(0, 0)).toEqual([0.5, 0.5, 0.5]);
  });

  it('fashion-seg\'s paint is opaque exactly where the mask is labelled, so what an item covers is hidden', () => {
    const threshold = 100;
    const paint = FASHION_STYLE.itemPaint(Rng.fromSeed(3), threshold);
    const l = layer();
    drawItem(l, a, 0, 0, 2, threshold, paint);
    drawItem(l, b, 1, 1, 5, threshold, paint);
    for (const [item, x0, y0] of [[b, 1, 1], [a, 0, 0]] as const) {
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 3; x++) {
          const v = item.pixels[3 * y + x];
          const p = 5 * (y0 + y) + x0 + x;
          if (v < threshold || (item === a && l.mask[p] === 5)) continue;
          // an opaque pixel is the item's shade of its grey level, whatever was under it
          expect(Array.from(l.image.subarray(3 * p, 3 * p + 3))).toEqual(Array.from(paint.colour(v), Math.fround));
        }
      }
    }
    expect(paint.alpha(threshold)).toBe(1);
    expect(paint.alpha(threshold - 1)).toBeLessThan(1);
    expect(paint.alpha(40)).toBeCloseTo(0.4, 10);
  });
});

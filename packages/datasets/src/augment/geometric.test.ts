import { Rng, type Sample } from '@ssseg/core';
import { HorizontalFlip, RandomCrop, RandomRescale } from './geometric';
import { resizeImageBilinear, resizeLabelsNearest } from './resize';
import { defaultWeakPipeline } from './pipeline';

/** A sample whose every pixel is unique: image encodes (x, y), mask a class, one marked pixel. */
function markedSample(h: number, w: number, mark: [number, number]): Sample {
  const image = new Float32Array(h * w * 3);
  const mask = new Uint8Array(h * w).fill(1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      image[3 * i] = x / w;
      image[3 * i + 1] = y / h;
    }
  }
  const m = mark[1] * w + mark[0];
  image[3 * m + 2] = 1;
  mask[m] = 7;
  return { id: 'marked', height: h, width: w, image, mask };
}

function marks(s: Sample): { image: number[]; mask: number[] } {
  const image: number[] = [], mask: number[] = [];
  for (let i = 0; i < s.height * s.width; i++) {
    if (s.image[3 * i + 2] > 0.5) image.push(i);
    if (s.mask![i] === 7) mask.push(i);
  }
  return { image, mask };
}

describe('geometric augmentations', () => {
  it('flip moves the marked pixel to the mirrored column in image and mask', () => {
    const flip = new HorizontalFlip({ p: 1 });
    const out = flip.apply(markedSample(5, 7, [1, 3]), Rng.fromSeed(1));
    expect(marks(out)).toEqual({ image: [3 * 7 + 5], mask: [3 * 7 + 5] });
    expect(new HorizontalFlip({ p: 0 }).apply(markedSample(5, 7, [1, 3]), Rng.fromSeed(1)).image[3 * (3 * 7 + 1) + 2]).toBe(1);
  });

  it('crop keeps image and mask aligned and pads with image 0, mask 255, ignore 1', () => {
    const crop = new RandomCrop({ size: 6 });
    const sample = markedSample(4, 5, [2, 1]);
    const out = crop.apply(sample, Rng.fromSeed(2));
    expect([out.height, out.width]).toEqual([6, 6]);
    expect(marks(out)).toEqual({ image: [1 * 6 + 2], mask: [1 * 6 + 2] });
    for (let y = 0; y < 6; y++) {
      for (let x = 0; x < 6; x++) {
        const i = y * 6 + x;
        const padded = y >= 4 || x >= 5;
        expect(out.ignore![i]).toBe(padded ? 1 : 0);
        if (padded) {
          expect(out.mask![i]).toBe(255);
          expect([out.image[3 * i], out.image[3 * i + 1], out.image[3 * i + 2]]).toEqual([0, 0, 0]);
        }
      }
    }
  });

  it('crop of a larger image takes a window: the marked pixel lands at mark - offset in both', () => {
    const crop = new RandomCrop({ size: 8 });
    for (let seed = 0; seed < 20; seed++) {
      const out = crop.apply(markedSample(20, 20, [10, 9]), Rng.fromSeed(seed));
      // the window's origin, read back from the (x, y) encoding of its top-left pixel
      const x0 = Math.round(out.image[0] * 20), y0 = Math.round(out.image[1] * 20);
      const m = marks(out);
      const inside = 10 - x0 >= 0 && 10 - x0 < 8 && 9 - y0 >= 0 && 9 - y0 < 8;
      expect(m.image).toEqual(m.mask);
      expect(m.image).toEqual(inside ? [(9 - y0) * 8 + (10 - x0)] : []);
    }
  });

  it('rescale: nearest-neighbour mask follows the bilinear image (the marked block lands in the same place)', () => {
    const rescale = new RandomRescale({ minScale: 2, maxScale: 2 });
    const out = rescale.apply(markedSample(6, 8, [3, 2]), Rng.fromSeed(3));
    expect([out.height, out.width]).toEqual([12, 16]);
    const m = marks(out);
    // a 2x upscale turns the pixel into a 2x2 block at (6..7, 4..5) in the mask
    expect(m.mask).toEqual([4 * 16 + 6, 4 * 16 + 7, 5 * 16 + 6, 5 * 16 + 7]);
    // the image's brightest blue pixels are within that block
    let best = -1, at = -1;
    for (let i = 0; i < 12 * 16; i++) if (out.image[3 * i + 2] > best) [best, at] = [out.image[3 * i + 2], i];
    expect(m.mask).toContain(at);
  });

  it('bilinear resize matches a naive half-pixel reference; identity size is exact', () => {
    const src = Float32Array.from({ length: 3 * 4 * 1 }, (_, i) => i);
    expect(Array.from(resizeImageBilinear(src, 3, 4, 1, 3, 4))).toEqual(Array.from(src));
    // 1-D row [0, 1, 2, 3] upsampled to 8 with half-pixel centres
    const row = resizeImageBilinear(Float32Array.from([0, 1, 2, 3]), 1, 4, 1, 1, 8);
    expect(Array.from(row)).toEqual([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
    expect(Array.from(resizeLabelsNearest(Uint8Array.from([1, 2, 3, 4]), 2, 2, 4, 4))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('the default weak pipeline keeps a marked block aligned over many seeds, and is seeded', () => {
    const weak = defaultWeakPipeline(16);
    const block = (): Sample => {
      const s = markedSample(12, 12, [0, 0]);
      s.image[2] = 0;
      s.mask![0] = 1;
      for (let y = 5; y < 9; y++) for (let x = 4; x < 8; x++) [s.image[3 * (y * 12 + x) + 2], s.mask![y * 12 + x]] = [1, 7];
      return s;
    };
    for (let seed = 0; seed < 30; seed++) {
      const out = weak.apply(block(), Rng.fromSeed(seed));
      expect([out.height, out.width]).toEqual([16, 16]);
      for (let i = 0; i < 256; i++) {
        // nearest-neighbour picks one of the bilinear taps, with weight >= 1/4
        if (out.mask![i] === 7) expect(out.image[3 * i + 2]).toBeGreaterThanOrEqual(0.25 - 1e-6);
        if (out.image[3 * i + 2] >= 1 - 1e-6) expect(out.mask![i]).toBe(7);
        if (out.ignore![i]) expect(out.mask![i]).toBe(255);
      }
      expect(out.mask!.some((v) => v === 7) || out.ignore!.some((v) => v === 0)).toBe(true);
    }
    const a = weak.apply(markedSample(12, 12, [5, 6]), Rng.fromSeed(9));
    const b = weak.apply(markedSample(12, 12, [5, 6]), Rng.fromSeed(9));
    expect(b).toEqual(a);
  });
});

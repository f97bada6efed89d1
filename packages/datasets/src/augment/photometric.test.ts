import { Rng, type Sample, optionsFor } from '@ssseg/core';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, ColorJitter, GaussianBlur, RandomGrayscale, gaussianBlur } from './photometric';
import { defaultStrongPipeline } from './pipeline';

function randomSample(h: number, w: number, seed: number): Sample {
  const rng = Rng.fromSeed(seed);
  return {
    id: `s${seed}`, height: h, width: w,
    image: Float32Array.from({ length: h * w * 3 }, () => rng.next()),
    mask: Uint8Array.from({ length: h * w }, () => rng.int(5)),
  };
}

describe('photometric augmentations', () => {
  it('brightness, contrast, saturation follow their definitions on a hand-worked pixel', () => {
    const px = () => Float32Array.from([0.2, 0.4, 0.6]);
    let img = px();
    adjustBrightness(img, 1.5);
    [0.3, 0.6, 0.9].forEach((v, i) => expect(img[i]).toBeCloseTo(v, 6));
    img = Float32Array.from([0.2, 0.4, 0.6, 0.6, 0.4, 0.2]);
    const mean = (0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6 + 0.299 * 0.6 + 0.587 * 0.4 + 0.114 * 0.2) / 2;
    adjustContrast(img, 0.5);
    expect(img[0]).toBeCloseTo(mean + 0.5 * (0.2 - mean), 6);
    img = px();
    const grey = 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6;
    adjustSaturation(img, 0);
    for (const v of img) expect(v).toBeCloseTo(grey, 6);
  });

  it('hue rotation by a third of a turn maps red to green, and a full turn is the identity', () => {
    const img = Float32Array.from([1, 0, 0]);
    adjustHue(img, 1 / 3);
    expect(Array.from(img).map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 1, 0]);
    const x = Float32Array.from([0.3, 0.5, 0.9]);
    adjustHue(x, 1);
    for (const [i, v] of [0.3, 0.5, 0.9].entries()) expect(x[i]).toBeCloseTo(v, 5);
  });

  it('grayscale gives equal channels; blur keeps the mean of a constant image and spreads a point', () => {
    const g = new RandomGrayscale({ p: 1 }).apply(randomSample(4, 4, 1), Rng.fromSeed(1));
    for (let i = 0; i < 16; i++) expect(g.image[3 * i]).toBe(g.image[3 * i + 2]);
    const constant = new Float32Array(5 * 5 * 3).fill(0.4);
    for (const v of gaussianBlur(constant, 5, 5, 1.5)) expect(v).toBeCloseTo(0.4, 6);
    const point = new Float32Array(9 * 9 * 3);
    point[(4 * 9 + 4) * 3] = 1;
    const blurred = gaussianBlur(point, 9, 9, 1);
    let sum = 0;
    for (let i = 0; i < 81; i++) sum += blurred[3 * i];
    expect(sum).toBeCloseTo(1, 5);
    expect(blurred[(4 * 9 + 4) * 3]).toBeLessThan(0.5);
    expect(blurred[(4 * 9 + 5) * 3]).toBeCloseTo(blurred[(5 * 9 + 4) * 3], 6);
  });

  it('photometric transforms never touch mask, ignore or box, and never mutate their input', () => {
    const s = { ...randomSample(6, 6, 2), ignore: new Uint8Array(36), cutmixBox: new Uint8Array(36) };
    const before = Float32Array.from(s.image);
    for (const aug of [new ColorJitter(optionsFor(ColorJitter, { p: 1 })), new RandomGrayscale({ p: 1 }), new GaussianBlur(optionsFor(GaussianBlur, { p: 1 }))]) {
      const out = aug.apply(s, Rng.fromSeed(3));
      expect(out.mask).toBe(s.mask);
      expect(out.ignore).toBe(s.ignore);
      expect(out.cutmixBox).toBe(s.cutmixBox);
      expect(out.image).not.toEqual(s.image);
      for (const v of out.image) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(s.image).toEqual(before);
  });

  it('the strong pipeline is seeded: the same seed gives the same view, another seed another', () => {
    const strong = defaultStrongPipeline();
    const s = randomSample(8, 8, 4);
    expect(strong.apply(s, Rng.fromSeed(5))).toEqual(strong.apply(s, Rng.fromSeed(5)));
    const views = [...Array(8).keys()].map((k) => strong.apply(s, Rng.fromSeed(k)));
    expect(new Set(views.map((v) => Array.from(v.image.subarray(0, 6)).join(','))).size).toBeGreaterThan(4);
  });
});

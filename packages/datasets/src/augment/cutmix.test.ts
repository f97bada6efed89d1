import { Rng, type Sample, optionsFor } from '@ssseg/core';
import { applyCutMix, CutMixBox, drawCutMixBox } from './cutmix';
import { buildAugmentations } from './pipeline';

function solid(id: string, h: number, w: number, value: number, label: number): Sample {
  return { id, height: h, width: w, image: new Float32Array(h * w * 3).fill(value), mask: new Uint8Array(h * w).fill(label), ignore: new Uint8Array(h * w) };
}

describe('CutMix', () => {
  it('draws one axis-aligned box within the area and aspect ranges, or none', () => {
    let drawn = 0;
    for (let seed = 0; seed < 200; seed++) {
      const box = drawCutMixBox(32, 32, Rng.fromSeed(seed), { p: 0.5, minArea: 0.02, maxArea: 0.4, minAspect: 0.3, maxAspect: 1 / 0.3 });
      const on: number[] = [];
      box.forEach((v, i) => v && on.push(i));
      if (on.length === 0) continue;
      drawn++;
      const xs = on.map((i) => i % 32), ys = on.map((i) => Math.floor(i / 32));
      const bw = Math.max(...xs) - Math.min(...xs) + 1, bh = Math.max(...ys) - Math.min(...ys) + 1;
      expect(on.length).toBe(bw * bh); // a filled rectangle
      expect(on.length).toBeLessThanOrEqual(0.4 * 1024);
      expect(bh / bw).toBeLessThan(5); // aspect 0.3..3.3 before rounding the sides down
      expect(bh / bw).toBeGreaterThan(0.2);
    }
    expect(drawn).toBeGreaterThan(70);
    expect(drawn).toBeLessThan(130);
  });

  it('the augmentation only draws the box: pixels and labels stay', () => {
    const s = solid('a', 16, 16, 0.2, 3);
    const out = new CutMixBox(optionsFor(CutMixBox, { p: 1 })).apply(s, Rng.fromSeed(1));
    expect(out.image).toBe(s.image);
    expect(out.mask).toBe(s.mask);
    expect(out.cutmixBox!.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('applyCutMix moves labels and ignore with the pixels, inside the box only', () => {
    const target = solid('t', 8, 8, 0.2, 3);
    const partner = solid('p', 8, 8, 0.9, 5);
    partner.ignore![2 * 8 + 3] = 1;
    const withBox = new CutMixBox(optionsFor(CutMixBox, { p: 1 })).apply(target, Rng.fromSeed(4));
    const box = withBox.cutmixBox!;
    box[2 * 8 + 3] = 1; // make sure the ignored partner pixel is inside
    const mixed = applyCutMix(withBox, partner);
    for (let i = 0; i < 64; i++) {
      const from = box[i] ? partner : target;
      expect(mixed.image[3 * i]).toBeCloseTo(from.image[3 * i], 6);
      expect(mixed.mask![i]).toBe(from.mask![i]);
      expect(mixed.ignore![i]).toBe(from.ignore![i]);
    }
    expect(target.mask!.every((v) => v === 3)).toBe(true); // inputs untouched
    expect(() => applyCutMix(withBox, solid('q', 4, 8, 0, 0))).toThrow(/CutMix needs equal sizes: t is 8x8, partner q is 8x4/);
  });

  it('builds from config lists and names bad entries by path', () => {
    const p = buildAugmentations([{ type: 'cutmix-box', p: 1 }], 'augmentations.strong');
    expect(p.steps).toHaveLength(1);
    expect(() => buildAugmentations([{ type: 'flip' }], 'augmentations.weak')).toThrow(/augmentations\.weak\[0\]\.type: unknown Augmentation type 'flip'/);
    expect(() => buildAugmentations([{ type: 'grayscale' }, { type: 'grayscale', p: 2 }], 'augmentations.strong')).toThrow(/augmentations\.strong\[1\]\.p/);
  });
});

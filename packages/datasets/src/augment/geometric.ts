import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, type Augmentation, type Rng, type Sample } from '@ssseg/core';
import { resizeImageBilinear, resizeLabelsNearest } from './resize';

/**
 * Rescales by a random ratio (UniMatch: the long side becomes ratio x long side, aspect kept);
 * bilinear for the image, nearest for mask, ignore and box.
 */
@injectable()
export class RandomRescale implements Augmentation {
  static options = z.strictObject({ minScale: z.number().positive().default(0.5), maxScale: z.number().positive().default(2.0) });
  static summary = 'random rescale (long side x [minScale, maxScale])';
  static readonly type = 'random-rescale';
  readonly type = componentType(this);
  readonly minScale: number;
  readonly maxScale: number;
  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof RandomRescale.options>) {
    this.minScale = o.minScale;
    this.maxScale = o.maxScale;
  }

  apply(sample: Sample, rng: Rng): Sample {
    const { height: h, width: w } = sample;
    const long = Math.max(h, w);
    const newLong = Math.max(1, Math.round(long * rng.uniform(this.minScale, this.maxScale)));
    const oh = h >= w ? newLong : Math.max(1, Math.round((h * newLong) / w));
    const ow = h >= w ? Math.max(1, Math.round((w * newLong) / h)) : newLong;
    if (oh === h && ow === w) return sample;
    return {
      ...sample,
      height: oh,
      width: ow,
      image: resizeImageBilinear(sample.image, h, w, 3, oh, ow),
      mask: sample.mask && resizeLabelsNearest(sample.mask, h, w, oh, ow),
      ignore: sample.ignore && resizeLabelsNearest(sample.ignore, h, w, oh, ow),
      cutmixBox: sample.cutmixBox && resizeLabelsNearest(sample.cutmixBox, h, w, oh, ow),
    };
  }
}

/**
 * Pads to at least `size` on the bottom and right (image 0, mask 255, ignore 1), then crops a
 * random size x size window. The output always carries an ignore map.
 */
@injectable()
export class RandomCrop implements Augmentation {
  static options = z.strictObject({ size: z.number().int().positive() });
  static summary = 'random crop to size x size, padding with ignore';
  static readonly type = 'random-crop';
  readonly type = componentType(this);
  readonly size: number;
  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof RandomCrop.options>) {
    this.size = o.size;
  }

  apply(sample: Sample, rng: Rng): Sample {
    const { height: h, width: w } = sample;
    const s = this.size;
    const y0 = h > s ? rng.int(h - s + 1) : 0;
    const x0 = w > s ? rng.int(w - s + 1) : 0;
    const image = new Float32Array(s * s * 3);
    const mask = sample.mask && new Uint8Array(s * s).fill(255);
    const ignore = new Uint8Array(s * s).fill(1);
    const box = sample.cutmixBox && new Uint8Array(s * s);
    const rows = Math.min(s, h - y0), cols = Math.min(s, w - x0);
    for (let y = 0; y < rows; y++) {
      const src = (y0 + y) * w + x0, dst = y * s;
      image.set(sample.image.subarray(src * 3, (src + cols) * 3), dst * 3);
      if (mask) mask.set(sample.mask!.subarray(src, src + cols), dst);
      if (sample.ignore) ignore.set(sample.ignore.subarray(src, src + cols), dst);
      else ignore.fill(0, dst, dst + cols);
      if (box) box.set(sample.cutmixBox!.subarray(src, src + cols), dst);
    }
    return { ...sample, height: s, width: s, image, mask, ignore, cutmixBox: box };
  }
}

@injectable()
export class HorizontalFlip implements Augmentation {
  static options = z.strictObject({ p: z.number().min(0).max(1).default(0.5) });
  static summary = 'horizontal flip with probability p';
  static readonly type = 'horizontal-flip';
  readonly type = componentType(this);
  readonly p: number;
  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof HorizontalFlip.options>) {
    this.p = o.p;
  }

  apply(sample: Sample, rng: Rng): Sample {
    if (!rng.bernoulli(this.p)) return sample;
    const { height: h, width: w } = sample;
    const image = new Float32Array(sample.image.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = (y * w + x) * 3, d = (y * w + (w - 1 - x)) * 3;
        image[d] = sample.image[s];
        image[d + 1] = sample.image[s + 1];
        image[d + 2] = sample.image[s + 2];
      }
    }
    return { ...sample, image, mask: flipMap(sample.mask, h, w), ignore: flipMap(sample.ignore, h, w), cutmixBox: flipMap(sample.cutmixBox, h, w) };
  }
}

function flipMap(map: Uint8Array | undefined, h: number, w: number): Uint8Array | undefined {
  if (!map) return undefined;
  const out = new Uint8Array(map.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + (w - 1 - x)] = map[y * w + x];
  return out;
}

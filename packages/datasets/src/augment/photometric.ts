import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, type Augmentation, type Rng, type Sample } from '@ssseg/core';

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/**
 * torchvision's ColorJitter(brightness, contrast, saturation, hue) applied with probability p:
 * factors drawn from [1 - x, 1 + x] (hue shift from [-hue, hue] of a turn), in a random order.
 */
@injectable()
export class ColorJitter implements Augmentation {
  static options = z.strictObject({
    brightness: z.number().min(0).default(0.5),
    contrast: z.number().min(0).default(0.5),
    saturation: z.number().min(0).default(0.5),
    hue: z.number().min(0).max(0.5).default(0.25),
    p: z.number().min(0).max(1).default(0.8),
  });
  static summary = 'colour jitter (brightness, contrast, saturation, hue) with probability p';
  static readonly type = 'color-jitter';
  readonly type = componentType(this);
  constructor(@inject(ComponentOptions) readonly o: ComponentOptions<typeof ColorJitter.options>) {}

  apply(sample: Sample, rng: Rng): Sample {
    if (!rng.bernoulli(this.o.p)) return sample;
    const { brightness, contrast, saturation, hue } = this.o;
    const factor = (x: number) => rng.uniform(Math.max(0, 1 - x), 1 + x);
    const ops: ((img: Float32Array) => void)[] = [];
    if (brightness > 0) {
      const f = factor(brightness);
      ops.push((img) => adjustBrightness(img, f));
    }
    if (contrast > 0) {
      const f = factor(contrast);
      ops.push((img) => adjustContrast(img, f));
    }
    if (saturation > 0) {
      const f = factor(saturation);
      ops.push((img) => adjustSaturation(img, f));
    }
    if (hue > 0) {
      const shift = rng.uniform(-hue, hue);
      ops.push((img) => adjustHue(img, shift));
    }
    const image = Float32Array.from(sample.image);
    for (const op of rng.shuffle(ops)) op(image);
    return { ...sample, image };
  }
}

export function adjustBrightness(img: Float32Array, f: number): void {
  for (let i = 0; i < img.length; i++) img[i] = clamp01(img[i] * f);
}

/** Blends with the mean grey level of the whole image. */
export function adjustContrast(img: Float32Array, f: number): void {
  let sum = 0;
  for (let i = 0; i < img.length; i += 3) sum += luma(img[i], img[i + 1], img[i + 2]);
  const mean = sum / (img.length / 3);
  for (let i = 0; i < img.length; i++) img[i] = clamp01(mean + f * (img[i] - mean));
}

/** Blends each pixel with its own grey level. */
export function adjustSaturation(img: Float32Array, f: number): void {
  for (let i = 0; i < img.length; i += 3) {
    const g = luma(img[i], img[i + 1], img[i + 2]);
    for (let c = 0; c < 3; c++) img[i + c] = clamp01(g + f * (img[i + c] - g));
  }
}

/** Rotates the hue by `shift` turns in HSV. */
export function adjustHue(img: Float32Array, shift: number): void {
  for (let i = 0; i < img.length; i += 3) {
    const r = img[i], g = img[i + 1], b = img[i + 2];
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    if (d === 0) continue; // grey: hue undefined, unchanged
    let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    h = (((h / 6 + shift) % 1) + 1) % 1;
    const s = d / max, v = max;
    const hh = h * 6, k = Math.floor(hh) % 6, f = hh - Math.floor(hh);
    const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    let r2: number, g2: number, b2: number;
    switch (k) {
      case 0: [r2, g2, b2] = [v, t, p]; break;
      case 1: [r2, g2, b2] = [q, v, p]; break;
      case 2: [r2, g2, b2] = [p, v, t]; break;
      case 3: [r2, g2, b2] = [p, q, v]; break;
      case 4: [r2, g2, b2] = [t, p, v]; break;
      default: [r2, g2, b2] = [v, p, q];
    }
    img[i] = r2;
    img[i + 1] = g2;
    img[i + 2] = b2;
  }
}

@injectable()
export class RandomGrayscale implements Augmentation {
  static options = z.strictObject({ p: z.number().min(0).max(1).default(0.2) });
  static summary = 'grey image (ITU-R 601 luma) with probability p';
  static readonly type = 'grayscale';
  readonly type = componentType(this);
  readonly p: number;
  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof RandomGrayscale.options>) {
    this.p = o.p;
  }

  apply(sample: Sample, rng: Rng): Sample {
    if (!rng.bernoulli(this.p)) return sample;
    const image = new Float32Array(sample.image.length);
    for (let i = 0; i < image.length; i += 3) {
      image[i] = image[i + 1] = image[i + 2] = luma(sample.image[i], sample.image[i + 1], sample.image[i + 2]);
    }
    return { ...sample, image };
  }
}

/** Separable Gaussian blur, sigma drawn from [sigmaMin, sigmaMax], radius ceil(3 sigma), edges replicated. */
@injectable()
export class GaussianBlur implements Augmentation {
  static options = z.strictObject({
    p: z.number().min(0).max(1).default(0.5),
    sigmaMin: z.number().positive().default(0.1),
    sigmaMax: z.number().positive().default(2.0),
  });
  static summary = 'Gaussian blur with random sigma, probability p';
  static readonly type = 'gaussian-blur';
  readonly type = componentType(this);
  constructor(@inject(ComponentOptions) readonly o: ComponentOptions<typeof GaussianBlur.options>) {}

  apply(sample: Sample, rng: Rng): Sample {
    if (!rng.bernoulli(this.o.p)) return sample;
    const sigma = rng.uniform(this.o.sigmaMin, this.o.sigmaMax);
    return { ...sample, image: gaussianBlur(sample.image, sample.height, sample.width, sigma) };
  }
}

export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

export function gaussianBlur(src: Float32Array, h: number, w: number, sigma: number): Float32Array {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0, b = 0, c = 0;
      for (let t = -r; t <= r; t++) {
        const xx = x + t < 0 ? 0 : x + t >= w ? w - 1 : x + t;
        const s = (y * w + xx) * 3, wt = k[t + r];
        a += src[s] * wt;
        b += src[s + 1] * wt;
        c += src[s + 2] * wt;
      }
      const d = (y * w + x) * 3;
      tmp[d] = a;
      tmp[d + 1] = b;
      tmp[d + 2] = c;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0, b = 0, c = 0;
      for (let t = -r; t <= r; t++) {
        const yy = y + t < 0 ? 0 : y + t >= h ? h - 1 : y + t;
        const s = (yy * w + x) * 3, wt = k[t + r];
        a += tmp[s] * wt;
        b += tmp[s + 1] * wt;
        c += tmp[s + 2] * wt;
      }
      const d = (y * w + x) * 3;
      out[d] = a;
      out[d + 1] = b;
      out[d + 2] = c;
    }
  }
  return out;
}

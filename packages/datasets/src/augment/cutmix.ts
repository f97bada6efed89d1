import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, SssegError, type Augmentation, type Rng, type Sample } from '@ssseg/core';

export type CutMixBoxOptions = ComponentOptions<typeof CutMixBox.options>;

/**
 * UniMatch's obtain_cutmix_box on an h x w image: with probability p, a box of area
 * [minArea, maxArea] x h w and aspect [minAspect, maxAspect], placed where it fits (redrawn until
 * it does). Returns HW, 1 inside; all zeros when no box is drawn.
 */
export function drawCutMixBox(h: number, w: number, rng: Rng, o: CutMixBoxOptions): Uint8Array {
  const box = new Uint8Array(h * w);
  if (!rng.bernoulli(o.p)) return box;
  const area = rng.uniform(o.minArea, o.maxArea) * h * w;
  let bw = 0, bh = 0, x0 = 0, y0 = 0;
  for (let tries = 0; ; tries++) {
    const aspect = rng.uniform(o.minAspect, o.maxAspect);
    bw = Math.floor(Math.sqrt(area / aspect));
    bh = Math.floor(Math.sqrt(area * aspect));
    x0 = rng.int(w);
    y0 = rng.int(h);
    if (x0 + bw <= w && y0 + bh <= h) break;
    if (tries > 1000) {
      // cannot happen for sane options; keep the box inside rather than loop forever
      bw = Math.min(bw, w);
      bh = Math.min(bh, h);
      x0 = Math.min(x0, w - bw);
      y0 = Math.min(y0, h - bh);
      break;
    }
  }
  for (let y = y0; y < y0 + bh; y++) box.fill(1, y * w + x0, y * w + x0 + bw);
  return box;
}

/**
 * Draws the CutMix box into `sample.cutmixBox`; the pixels are mixed later, by the training step
 * with its partner image (or by `applyCutMix` in a data pipeline).
 */
@injectable()
export class CutMixBox implements Augmentation {
  static options = z.strictObject({
    p: z.number().min(0).max(1).default(0.5),
    minArea: z.number().gt(0).max(1).default(0.02),
    maxArea: z.number().gt(0).max(1).default(0.4),
    minAspect: z.number().positive().default(0.3),
    maxAspect: z.number().positive().default(1 / 0.3),
  });
  static summary = 'draws a CutMix box (the step mixes pixels with a partner)';
  static readonly type = 'cutmix-box';
  readonly type = componentType(this);
  constructor(@inject(ComponentOptions) readonly o: CutMixBoxOptions) {}

  apply(sample: Sample, rng: Rng): Sample {
    return { ...sample, cutmixBox: drawCutMixBox(sample.height, sample.width, rng, this.o) };
  }
}

/**
 * CutMix on samples: inside `box` (default `target.cutmixBox`), image, mask and ignore come from
 * `partner`. Masks mix when both have one; a partner without an ignore map counts as all valid.
 */
export function applyCutMix(target: Sample, partner: Sample, box: Uint8Array | undefined = target.cutmixBox): Sample {
  if (target.height !== partner.height || target.width !== partner.width) {
    throw new SssegError(`CutMix needs equal sizes: ${target.id} is ${target.width}x${target.height}, partner ${partner.id} is ${partner.width}x${partner.height}`);
  }
  const n = target.height * target.width;
  if (!box) return target;
  if (box.length !== n) throw new SssegError(`CutMix box has ${box.length} pixels, ${target.id} has ${n}`);
  const image = Float32Array.from(target.image);
  const mask = target.mask && partner.mask ? Uint8Array.from(target.mask) : target.mask;
  const ignore = target.ignore || partner.ignore ? (target.ignore ? Uint8Array.from(target.ignore) : new Uint8Array(n)) : undefined;
  for (let i = 0; i < n; i++) {
    if (!box[i]) continue;
    image[3 * i] = partner.image[3 * i];
    image[3 * i + 1] = partner.image[3 * i + 1];
    image[3 * i + 2] = partner.image[3 * i + 2];
    if (mask && partner.mask) mask[i] = partner.mask[i];
    if (ignore) ignore[i] = partner.ignore ? partner.ignore[i] : 0;
  }
  return { ...target, image, mask, ignore, cutmixBox: box };
}

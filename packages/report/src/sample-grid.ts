import { encode } from 'fast-png';
import type { Sample } from '@ssseg/core';
import { maskPalette } from '@ssseg/core';

export interface SampleGridOptions {
  /** Image | mask pairs per row. */
  pairsPerRow?: number;
  /** Each pixel drawn as scale x scale pixels. */
  scale?: number;
  /** The classes' colours (the dataset's palette); VOC's colour map when absent. */
  classColours?: readonly (readonly number[])[];
}

const GAP = 4;

/**
 * One RGB PNG showing samples of one size side by side with their masks (image | mask pairs, the
 * masks in the colours their palette PNGs use, a sample without a mask beside a blank tile), on white.
 */
export function encodeSampleGrid(samples: readonly Sample[], o: SampleGridOptions = {}): Uint8Array {
  if (!samples.length) throw new Error('encodeSampleGrid: no samples');
  const { height, width } = samples[0];
  if (samples.some((s) => s.height !== height || s.width !== width)) throw new Error('encodeSampleGrid: samples differ in size');
  const scale = o.scale ?? 2;
  const perRow = Math.min(o.pairsPerRow ?? 4, samples.length);
  const rows = Math.ceil(samples.length / perRow);
  const [tileH, tileW] = [height * scale, width * scale];
  const gridW = 2 * perRow * (tileW + GAP) + GAP;
  const gridH = rows * (tileH + GAP) + GAP;
  const palette = maskPalette(o.classColours);
  const data = new Uint8Array(gridW * gridH * 3).fill(255);
  const tile = (left: number, top: number, rgbAt: (p: number) => readonly number[]) => {
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const rgb = rgbAt(Math.floor(y / scale) * width + Math.floor(x / scale));
        data.set(rgb, ((top + y) * gridW + left + x) * 3);
      }
    }
  };
  samples.forEach((s, k) => {
    const top = GAP + Math.floor(k / perRow) * (tileH + GAP);
    const left = GAP + 2 * (k % perRow) * (tileW + GAP);
    tile(left, top, (p) => [0, 1, 2].map((c) => Math.round(Math.min(1, Math.max(0, s.image[3 * p + c])) * 255)));
    if (s.mask) tile(left + tileW + GAP, top, (p) => palette[s.mask![p]]);
  });
  return encode({ width: gridW, height: gridH, data, depth: 8, channels: 3 });
}

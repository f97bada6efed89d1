import { encode } from 'fast-png';
import { writeFileAtomic } from './atomic-write';
import type { Sample } from '../tokens';

/** The PASCAL VOC colour map: class i's RGB from the bits of i (VOC's devkit, bitget loop). */
export function vocPalette(size = 256): number[][] {
  const palette: number[][] = [];
  for (let i = 0; i < size; i++) {
    let r = 0, g = 0, b = 0, c = i;
    for (let j = 0; j < 8; j++) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
      c >>= 3;
    }
    palette.push([r, g, b]);
  }
  return palette;
}

const PALETTE = vocPalette();

/** A mask PNG's 256 colours: the dataset's class colours where it gives them, VOC's colour map for the rest (255: ignore). */
export function maskPalette(classColours?: readonly (readonly number[])[]): number[][] {
  if (!classColours) return PALETTE;
  return PALETTE.map((voc, i) => (i < classColours.length ? [...classColours[i]] : voc));
}

/** A class-index map as an 8-bit palette PNG (pixel value = class index; colours: `palette`, VOC's by default). */
export function encodePaletteMask(labels: ArrayLike<number>, height: number, width: number, palette: number[][] = PALETTE): Uint8Array {
  const data = new Uint8Array(height * width);
  for (let i = 0; i < data.length; i++) {
    const v = labels[i];
    if (v < 0 || v > 255) throw new Error(`encodePaletteMask: class ${v} does not fit a palette PNG`);
    data[i] = v;
  }
  return encode({ width, height, data, depth: 8, channels: 1, palette });
}

/** Writes a class-index map as a palette PNG, atomically. */
export function writePaletteMask(file: string, labels: ArrayLike<number>, height: number, width: number, palette?: number[][]): void {
  writeFileAtomic(file, encodePaletteMask(labels, height, width, palette));
}

/** An image in [0, 1] as an 8-bit RGB PNG. */
export function encodeRgbPng(sample: Sample): Uint8Array {
  const data = new Uint8Array(sample.height * sample.width * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, sample.image[i])) * 255);
  return encode({ width: sample.width, height: sample.height, data, depth: 8, channels: 3 });
}

import * as fs from 'fs';
import { decode } from 'fast-png';
import { SssegError } from '@ssseg/core';

export interface LabelMap {
  width: number;
  height: number;
  /** HW raw label values as stored (palette indices or grey levels). */
  values: Uint8Array;
}

/**
 * Reads a label PNG as indices: palette PNGs give their palette index, greyscale PNGs their grey
 * level. Colour PNGs are refused, since mapping colours back to classes is lossy and ambiguous.
 */
export function readLabelPng(file: string): LabelMap {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read label file: ${(err as Error).message}`, file);
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new SssegError(`not a readable PNG label map (${(err as Error).message})`, file);
  }
  if (png.channels !== 1) {
    throw new SssegError(
      `expected an indexed (palette) or greyscale label PNG, got ${png.channels} channels; labels are read as indices, never through colours`,
      file,
    );
  }
  const { width, height, depth } = png;
  const n = width * height;
  const values = new Uint8Array(n);
  if (depth === 8) {
    values.set((png.data as Uint8Array).subarray(0, n));
  } else if (depth === 16) {
    const data = png.data as Uint16Array;
    for (let i = 0; i < n; i++) {
      if (data[i] > 255) throw new SssegError(`label value ${data[i]} at (x ${i % width}, y ${Math.floor(i / width)}) does not fit a class index`, file);
      values[i] = data[i];
    }
  } else {
    // 1, 2 or 4 bits per pixel: rows are packed and padded to whole bytes, most significant bits first
    const data = png.data as Uint8Array;
    const perByte = 8 / depth;
    const rowBytes = Math.ceil(width / perByte);
    const max = (1 << depth) - 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const byte = data[y * rowBytes + Math.floor(x / perByte)];
        const shift = 8 - depth * ((x % perByte) + 1);
        values[y * width + x] = (byte >> shift) & max;
      }
    }
  }
  return { width, height, values };
}

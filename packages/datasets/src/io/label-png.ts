import * as fs from 'fs';
import { decode } from 'fast-png';
import { SssegError } from '@ssseg/core';
import { MAX_IMAGE_PIXELS } from './image';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface LabelMap {
  width: number;
  height: number;
  /** HW raw label values as stored (palette indices or grey levels). */
  values: Uint8Array;
}

/** Width and height from a PNG's first chunk (IHDR), read before anything is inflated; undefined for another file. */
function pngSize(bytes: Buffer): { width: number; height: number; pixels: bigint } | undefined {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  const width = bytes.readUInt32BE(16), height = bytes.readUInt32BE(20);
  return { width, height, pixels: BigInt(width) * BigInt(height) };
}

/**
 * Reads a label PNG as indices: palette PNGs give their palette index, greyscale PNGs their grey
 * level. Colour PNGs are refused, since mapping colours back to classes is lossy and ambiguous.
 * A PNG whose header declares more pixels than images may have is refused before it is decoded.
 */
export function readLabelPng(file: string): LabelMap {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read label file: ${(err as Error).message}`, file);
  }
  const size = pngSize(bytes);
  if (size && size.pixels > BigInt(MAX_IMAGE_PIXELS)) {
    throw new SssegError(`label PNG of ${size.width}x${size.height} (${size.pixels} pixels) is over the ${MAX_IMAGE_PIXELS}-pixel limit of images: not decoded`, file);
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

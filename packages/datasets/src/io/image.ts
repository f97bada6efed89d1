import sharp from 'sharp';
import { SssegError } from '@ssseg/core';

/**
 * The most pixels an image (or mask) may have: sharp's own default limit, named here so that
 * masks, which sharp does not read, are held to the same one. A file over it is refused before
 * it is decoded (a small PNG can decode to gigabytes).
 */
export const MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

export interface DecodedImage {
  width: number;
  height: number;
  /** HWC, 3 channels, values in [0, 1]. */
  image: Float32Array;
}

/** Decodes a JPEG or PNG file into RGB floats in [0, 1] (alpha dropped, greyscale expanded). */
export async function readImage(file: string): Promise<DecodedImage> {
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(file, { failOn: 'truncated', limitInputPixels: MAX_IMAGE_PIXELS })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new SssegError(`cannot decode image (${(err as Error).message})`, file);
  }
  const { width, height, channels } = raw.info;
  const n = width * height;
  const image = new Float32Array(n * 3);
  const data = raw.data;
  if (channels === 3) {
    for (let i = 0; i < n * 3; i++) image[i] = data[i] / 255;
  } else if (channels === 1) {
    for (let i = 0; i < n; i++) image[3 * i] = image[3 * i + 1] = image[3 * i + 2] = data[i] / 255;
  } else {
    throw new SssegError(`decoded to ${channels} channels, expected 3`, file);
  }
  return { width, height, image };
}

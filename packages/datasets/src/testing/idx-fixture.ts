import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/** IDX files as the MNIST family ships them, for tests: `<prefix>-images-idx3-ubyte[.gz]` and labels. */
export function writeIdxPair(dir: string, prefix: string, o: { rows: number; cols: number; pixels: Uint8Array; labels: number[]; gzip: boolean }): { images: string; labels: string } {
  const count = o.labels.length;
  const images = Buffer.alloc(16 + o.pixels.length);
  [0x0803, count, o.rows, o.cols].forEach((v, i) => images.writeUInt32BE(v, 4 * i));
  images.set(o.pixels, 16);
  const labels = Buffer.alloc(8 + count);
  [0x0801, count].forEach((v, i) => labels.writeUInt32BE(v, 4 * i));
  labels.set(o.labels, 8);
  const suffix = o.gzip ? '.gz' : '';
  const files = { images: path.join(dir, `${prefix}-images-idx3-ubyte${suffix}`), labels: path.join(dir, `${prefix}-labels-idx1-ubyte${suffix}`) };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(files.images, o.gzip ? zlib.gzipSync(images) : images);
  fs.writeFileSync(files.labels, o.gzip ? zlib.gzipSync(labels) : labels);
  return files;
}

import * as fs from 'fs';
import * as zlib from 'zlib';
import { readIdxPair } from './idx';
import { tempDir } from '../testing/fixtures';
import { writeIdxPair } from '../testing/idx-fixture';

describe('IDX reader', () => {
  const dir = tempDir('idx');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 10);
  const pair = (prefix: string, gzip: boolean) => writeIdxPair(dir, prefix, { rows: 2, cols: 4, pixels, labels: [7, 0, 3], gzip });

  it('reads raw and gzipped files alike', () => {
    for (const gzip of [false, true]) {
      const f = pair(gzip ? 'gz' : 'raw', gzip);
      const read = readIdxPair(f.images, f.labels);
      expect([read.count, read.rows, read.cols]).toEqual([3, 2, 4]);
      expect(Array.from(read.pixels)).toEqual(Array.from(pixels));
      expect(Array.from(read.labels)).toEqual([7, 0, 3]);
    }
  });

  it('names the file when its bytes are damaged: magic, counts, truncation, gzip', () => {
    const f = pair('bad', false);
    const good = { images: fs.readFileSync(f.images), labels: fs.readFileSync(f.labels) };
    const damage = (which: 'images' | 'labels', bytes: Buffer) => {
      fs.writeFileSync(f.images, which === 'images' ? bytes : good.images);
      fs.writeFileSync(f.labels, which === 'labels' ? bytes : good.labels);
      return () => readIdxPair(f.images, f.labels);
    };
    const flipped = Buffer.from(good.images);
    flipped[3] = 0x01; // an idx1 magic where idx3 belongs
    expect(damage('images', flipped)).toThrow(`${f.images}: not an IDX image file (magic 2051)`);
    expect(damage('labels', good.images)).toThrow(`${f.labels}: not an IDX label file (magic 2049)`);
    expect(damage('images', good.images.subarray(0, good.images.length - 1))).toThrow(`${f.images}: truncated: 39 bytes for 3 images of 2x4`);
    expect(damage('images', good.images.subarray(0, 10))).toThrow(`${f.images}: not an IDX image file`);
    expect(damage('labels', good.labels.subarray(0, good.labels.length - 1))).toThrow(`${f.labels}: truncated: 10 bytes for 3 labels`);
    const fewer = Buffer.from(good.labels);
    fewer.writeUInt32BE(2, 4);
    expect(damage('labels', fewer)).toThrow(`${f.labels}: holds 2 labels for 3 images`);
    const gz = zlib.gzipSync(good.images);
    expect(damage('images', gz.subarray(0, gz.length - 6))).toThrow(new RegExp(`^${f.images}: damaged gzip data`));
    fs.rmSync(f.labels);
    fs.writeFileSync(f.images, good.images);
    expect(() => readIdxPair(f.images, f.labels)).toThrow(new RegExp(`^${f.labels}: cannot read IDX file \\(ENOENT`));
  });
});

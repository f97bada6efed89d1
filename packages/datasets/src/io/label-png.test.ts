import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { readLabelPng } from './label-png';
import { MAX_IMAGE_PIXELS } from './image';

/** A PNG signature and IHDR chunk (8-bit greyscale) of the given size; what follows is `rest`. */
function pngHead(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const body = Buffer.concat([Buffer.from('IHDR'), ihdr]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, body, crc]);
}

describe('label PNG size limit', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-label-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a mask whose header declares more pixels than images may have, from the header alone', () => {
    const file = path.join(dir, 'huge.png');
    // no image data at all: were it decoded, the error would be another
    fs.writeFileSync(file, pngHead(60000, 60000));
    expect(() => readLabelPng(file)).toThrow(`${file}: label PNG of 60000x60000 (3600000000 pixels) is over the ${MAX_IMAGE_PIXELS}-pixel limit of images: not decoded`);
    fs.writeFileSync(file, pngHead(0xffffffff, 0xffffffff));
    expect(() => readLabelPng(file)).toThrow('label PNG of 4294967295x4294967295 (18446744065119617025 pixels)');
  });

  it('decodes one at the limit as before (here: its missing data is the error)', () => {
    const file = path.join(dir, 'at-limit.png');
    fs.writeFileSync(file, pngHead(0x3fff, 0x3fff));
    expect(() => readLabelPng(file)).toThrow(new RegExp(`${file}: not a readable PNG label map`));
  });
});

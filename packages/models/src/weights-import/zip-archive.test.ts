import * as zlib from 'zlib';
import { deflatedZeros, torchSaveFile, zipArchive } from '../testing/torch-zip';
import { readTorchFile } from './torch-file';
import { readZipDirectory } from './zip-archive';
import type { SourceTensor } from './source-tensor';

const GiB = 1n << 30n;
const stateDict = (bytes: Uint8Array) => readTorchFile(bytes, 'm.pth') as Map<string, SourceTensor>;

describe('zip entries of a .pth are read to the size their storage declares, no further', () => {
  it('reads stored and deflated storages, and a zip64 archive', () => {
    const shapes = new Map([['a', [2, 3]], ['big', [512, 1024]]]);
    // 'big' (float16) is one MiB: deflated, its directory entry in zip64 form as large archives have
    const file = torchSaveFile(shapes, new Map([['big', deflatedZeros(1n << 20n)]]));
    const tensors = stateDict(file);
    expect(tensors.get('a')!.shape).toEqual([2, 3]);
    expect(Array.from(tensors.get('a')!.values())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(tensors.get('big')!.values().every((v) => v === 0)).toBe(true);
    const wide = zipArchive([{ name: 'x', data: { ...deflatedZeros(1n << 20n), claims: 5n * GiB } }]);
    expect(readZipDirectory(wide, 'w.zip').get('x')).toMatchObject({ size: 5n * GiB, method: 8 });
  });

  it('refuses an entry that claims more than its storage declares, before inflating anything', () => {
    const file = torchSaveFile(new Map([['w', [4, 3, 3, 3]]]), new Map([['w', deflatedZeros(4n * GiB)]]));
    const started = process.hrtime.bigint();
    expect(() => stateDict(file)).toThrow("m.pth: zip entry 'archive/data/0' claims 4294967296 bytes where its storage declares 216 (108 float16)");
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(1);
  });

  it('stops a deflate stream that produces more than its storage declares, naming the entry', () => {
    const bomb = { ...deflatedZeros(64n << 20n), claims: 216n };
    const tensors = stateDict(torchSaveFile(new Map([['w', [4, 3, 3, 3]]]), new Map([['w', bomb]])));
    expect(() => tensors.get('w')!.values()).toThrow("m.pth: zip entry 'archive/data/0' inflates to more than the 216 bytes its storage declares (108 float16); stopped there");
  });

  it('refuses a storage whose bytes do not match its CRC-32, and a truncated archive', () => {
    const file = torchSaveFile(new Map([['w', [4]]]));
    const at = file.indexOf(Buffer.from('archive/data/0')) + 'archive/data/0'.length;
    file[at + 3] ^= 0x40;
    expect(() => stateDict(file).get('w')!.values()).toThrow("m.pth: zip entry 'archive/data/0' is damaged (CRC-32 mismatch)");
    expect(() => stateDict(file.subarray(0, file.length >> 1))).toThrow('m.pth: cannot read the zip archive: no end of central directory record (truncated file?)');
  });

  it('builds the deflate stream of zeros it tests with as zlib reads it', () => {
    const { stream, size, crc } = deflatedZeros((3n << 20n) + 12345n);
    const out = zlib.inflateRawSync(stream);
    expect(BigInt(out.length)).toBe(size);
    expect(out.every((b) => b === 0)).toBe(true);
    expect(zlib.crc32(out)).toBe(crc);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { expectNoLeak, initEngine } from '@ssseg/engine';
import { Rng } from '@ssseg/core';
import { ResNet, expectedTensors } from '@ssseg/models';
import { makeVocTree } from '../../packages/datasets/src/testing/fixtures';
import { deflatedZeros, torchSaveFile } from '../../packages/models/src/testing/torch-zip';
import { runCliMeasured, type MeasuredRun } from './testing/peak-rss';

/**
 * Peak RSS allowed to a command refusing a hostile file: what the same command needs for an honest
 * file of the same kind is measured alongside (about 200-300 MiB here: node, tfjs, the file); the
 * code before these checks peaked at 4.3 GB (the .pth) and over 1 GB (the mask).
 */
const BOUND_MIB = 512;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-hostile-'));
const file = (name: string) => path.join(dir, name);
let resnet18: Map<string, number[]>;

beforeAll(async () => {
  await initEngine({ backend: 'cpu', verbose: false });
  await expectNoLeak(() => {
    const backbone = new ResNet({ depth: 18, stem: 'torchvision', outputStride: 32 }, Rng.fromSeed(0));
    resnet18 = new Map([...expectedTensors(backbone)].map(([name, e]) => [name, e.torchShape]));
    backbone.dispose();
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
jest.setTimeout(300_000);

/** A refusal as a user sees it: exit 1, the message alone (no stack trace), memory bounded. */
function expectRefused(run: MeasuredRun, message: string): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 1, stderr: `ssseg: ${message}\n` });
  expect(run.peakRssMiB).toBeLessThan(BOUND_MIB);
}

describe('a .pth whose zip entry inflates past what its tensor holds', () => {
  const conv1 = () => [...resnet18.keys()].indexOf('conv1.weight');

  it('an honest one imports (the memory it takes is the measure for the hostile ones)', () => {
    fs.writeFileSync(file('resnet18.pth'), torchSaveFile(resnet18));
    const run = runCliMeasured(['import-backbone', '--from', file('resnet18.pth')]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('ResNet-18 (torchvision stem) from a PyTorch state dict');
    expect(run.peakRssMiB).toBeLessThan(BOUND_MIB);
    process.stdout.write(`honest resnet18.pth: peak RSS ${run.peakRssMiB.toFixed(0)} MiB\n`);
  });

  it('4 GiB of deflated zeros (a 4 MB file) where conv1 declares 18816 bytes: refused before inflating, memory bounded', () => {
    fs.writeFileSync(file('bomb.pth'), torchSaveFile(resnet18, new Map([['conv1.weight', deflatedZeros(4n << 30n)]])));
    expect(fs.statSync(file('bomb.pth')).size).toBeLessThan(30 << 20);
    const run = runCliMeasured(['import-backbone', '--from', file('bomb.pth')]);
    expectRefused(run, `${file('bomb.pth')}: zip entry 'archive/data/${conv1()}' claims 4294967296 bytes where its storage declares 18816 (9408 float16)`);
    process.stdout.write(`bomb.pth: peak RSS ${run.peakRssMiB.toFixed(0)} MiB, ${run.seconds.toFixed(1)} s\n`);
  });

  it('the same stream under a zip entry that claims 18816 bytes: inflation stops there, memory bounded', () => {
    const lying = { ...deflatedZeros(4n << 30n), claims: 18816n };
    fs.writeFileSync(file('lying.pth'), torchSaveFile(resnet18, new Map([['conv1.weight', lying]])));
    const run = runCliMeasured(['import-backbone', '--from', file('lying.pth')]);
    expectRefused(run, `${file('lying.pth')}: zip entry 'archive/data/${conv1()}' inflates to more than the 18816 bytes its storage declares (9408 float16); stopped there`);
    process.stdout.write(`lying.pth: peak RSS ${run.peakRssMiB.toFixed(0)} MiB, ${run.seconds.toFixed(1)} s\n`);
  });
});

describe('a safetensors file whose header does not describe a layout of its data', () => {
  /** A safetensors file: u64 header length (`claimed`, or the header's), the header text, `data` zero bytes. */
  function safetensors(name: string, header: string, data: number, claimed?: bigint): string {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(claimed ?? BigInt(Buffer.byteLength(header)));
    fs.writeFileSync(file(name), Buffer.concat([length, Buffer.from(header), Buffer.alloc(data)]));
    return file(name);
  }
  /** ResNet-18 as float16 zeros, offsets in order; `edit` may change a tensor's offsets. */
  function resnet18Header(edit: (name: string, offsets: [number, number]) => [number, number] = (_n, o) => o): { header: string; bytes: number } {
    let at = 0;
    const entries = [...resnet18].map(([name, shape]) => {
      const size = 2 * shape.reduce((a, b) => a * b, 1);
      const offsets = edit(name, [at, at + size]);
      at += size;
      return [name, { dtype: 'F16', shape, data_offsets: offsets }];
    });
    return { header: JSON.stringify(Object.fromEntries(entries)), bytes: at };
  }

  it('two convolutions sharing bytes: refused, naming both (it imported, one conv silently given the other\'s weights)', () => {
    let conv1At: [number, number] = [0, 0];
    const { header, bytes } = resnet18Header((name, offsets) => {
      if (name === 'layer1.0.conv1.weight') conv1At = offsets;
      return name === 'layer1.0.conv2.weight' ? conv1At : offsets;
    });
    const honest = resnet18Header();
    expect(runCliMeasured(['import-backbone', '--from', safetensors('honest.safetensors', honest.header, honest.bytes)]).code).toBe(0);
    const run = runCliMeasured(['import-backbone', '--from', safetensors('overlap.safetensors', header, bytes)]);
    expectRefused(run, `${file('overlap.safetensors')}: safetensors file: tensors 'layer1.0.conv1.weight' (data offsets [${conv1At[0]}, ${conv1At[1]}]) and ` +
      `'layer1.0.conv2.weight' ([${conv1At[0]}, ${conv1At[1]}]) overlap: a byte of data belongs to one tensor only`);
  });

  it('a header length of 2^60 is refused as a safetensors file, not read as another format', () => {
    const run = runCliMeasured(['import-backbone', '--from', safetensors('length.safetensors', '{"conv1.weight":{}}', 16, 1n << 60n)]);
    expectRefused(run, `${file('length.safetensors')}: safetensors file: header length 1152921504606846976 is more than the 35 bytes after it (truncated, or not a safetensors file)`);
  });

  it('an offset of 2^64 - 1 is said with every digit', () => {
    const header = '{"conv1.weight":{"dtype":"F16","shape":[64,3,7,7],"data_offsets":[0,18446744073709551615]}}';
    const run = runCliMeasured(['import-backbone', '--from', safetensors('offset.safetensors', header, 64)]);
    expectRefused(run, `${file('offset.safetensors')}: safetensors file: tensor 'conv1.weight' has data offsets [0, 18446744073709551615] past the end of its 64 data bytes (truncated?)`);
  });
});

describe('a mask that is a PNG decompression bomb', () => {
  /** An 8-bit greyscale PNG of zeros: IHDR, one IDAT (zlib stream of the filtered rows), IEND. */
  function pngOfZeros(width: number, height: number): Buffer {
    const chunk = (type: string, body: Buffer) => {
      const head = Buffer.alloc(4), crc = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), body])));
      return Buffer.concat([head, Buffer.from(type), body, crc]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8;
    const rows = height * (width + 1); // a filter byte per row
    const adler = Buffer.alloc(4);
    adler.writeUInt32BE((((rows % 65521) << 16) | 1) >>> 0);
    const idat = Buffer.concat([Buffer.from([0x78, 0x01]), deflatedZeros(BigInt(rows)).stream, adler]);
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
  }

  it('just over the pixel limit images have (16385x16384, 270 KB): refused from its header, fast, memory bounded', async () => {
    const { root } = await makeVocTree(4);
    const args = ['data', 'inspect', '--type', 'pascal-voc', '--root', root, '--split', '2', '--part', 'labelled'];
    const honest = runCliMeasured(args);
    expect(honest.code).toBe(0);
    const mask = path.join(root, 'SegmentationClass/2007_000000.png');
    fs.writeFileSync(mask, pngOfZeros(16385, 16384));
    expect(fs.statSync(mask).size).toBeLessThan(400_000);
    const run = runCliMeasured(args);
    expectRefused(run, `${mask}: label PNG of 16385x16384 (268451840 pixels) is over the 268402689-pixel limit of images: not decoded`);
    process.stdout.write(`mask bomb: peak RSS ${run.peakRssMiB.toFixed(0)} MiB (honest tree ${honest.peakRssMiB.toFixed(0)} MiB), ${run.seconds.toFixed(1)} s\n`);
  });
});

import * as zlib from 'zlib';

/**
 * torch.save files written byte by byte from the published layouts (zip with zip64, pickle
 * protocol 2), so tests can make the hostile ones no PyTorch writes: entries that inflate past
 * what they claim, or claim more than their tensors hold.
 */

const MiB = 1 << 20;

/** A raw deflate stream, what it inflates to, and that content's CRC-32. */
export interface Deflated {
  stream: Uint8Array;
  size: bigint;
  crc: number;
}

/**
 * A raw deflate stream of `size` zero bytes, built in milliseconds at any size: one MiB of zeros
 * deflated with a full flush (it ends byte-aligned and nothing after it refers back into it),
 * repeated, then the rest the same way, then an empty final block.
 */
export function deflatedZeros(size: bigint): Deflated {
  const zeros = Buffer.alloc(MiB);
  const flushed = (n: number) => zlib.deflateRawSync(zeros.subarray(0, n), { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const whole = Number(size / BigInt(MiB)), rest = Number(size % BigInt(MiB));
  let crc = 0;
  for (let i = 0; i < whole; i++) crc = zlib.crc32(zeros, crc);
  crc = zlib.crc32(zeros.subarray(0, rest), crc);
  const chunk = flushed(MiB);
  return { stream: Buffer.concat([...new Array<Buffer>(whole).fill(chunk), flushed(rest), Buffer.from([0x03, 0x00])]), size, crc };
}

export interface ZipInput {
  name: string;
  /** Stored as is, or a deflate stream; `claims` overrides the size the directory gives. */
  data: Uint8Array | (Deflated & { claims?: bigint });
}

const u16 = (v: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(v); return b; };
const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(v); return b; };
const FULL = 0xffffffff;

/** A zip archive of the entries, with zip64 fields where a size or offset does not fit 32 bits. */
export function zipArchive(entries: ZipInput[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0n;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = !(entry.data instanceof Uint8Array);
    const raw = entry.data instanceof Uint8Array ? entry.data : entry.data.stream;
    const size = entry.data instanceof Uint8Array ? BigInt(raw.length) : entry.data.claims ?? entry.data.size;
    const crc = entry.data instanceof Uint8Array ? zlib.crc32(raw) : entry.data.crc;
    const wide = size >= FULL || BigInt(raw.length) >= FULL || offset >= FULL;
    const fits = (v: bigint) => (wide ? FULL : Number(v));
    // zip64: the local header's field holds the two sizes, the directory's the offset too
    const localSizes = Buffer.concat([u16(1), u16(16), u64(size), u64(BigInt(raw.length))]);
    const sizes = Buffer.concat([u16(1), u16(24), u64(size), u64(BigInt(raw.length)), u64(offset)]);
    const common = [u16(45), u16(0), u16(deflated ? 8 : 0), u16(0), u16(0x21), u32(crc), u32(fits(BigInt(raw.length))), u32(fits(size)), u16(name.length)];
    const local = Buffer.concat([u32(0x04034b50), ...common, u16(wide ? localSizes.length : 0), name, wide ? localSizes : Buffer.alloc(0)]);
    central.push(Buffer.concat([u32(0x02014b50), u16(45), ...common, u16(wide ? sizes.length : 0), u16(0), u16(0), u16(0), u32(0), u32(fits(offset)), name, wide ? sizes : Buffer.alloc(0)]));
    parts.push(local, Buffer.from(raw));
    offset += BigInt(local.length + raw.length);
  }
  const directory = Buffer.concat(central);
  const zip64End = Buffer.concat([
    u32(0x06064b50), u64(44n), u16(45), u16(45), u32(0), u32(0), u64(BigInt(entries.length)), u64(BigInt(entries.length)),
    u64(BigInt(directory.length)), u64(offset),
  ]);
  const locator = Buffer.concat([u32(0x07064b50), u32(0), u64(offset + BigInt(directory.length)), u32(1)]);
  const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(entries.length), u16(entries.length), u32(directory.length), u32(offset >= FULL ? FULL : Number(offset)), u16(0)]);
  return Buffer.concat([...parts, directory, zip64End, locator, end]);
}

export interface PickledTensor {
  name: string;
  shape: number[];
  /** Its storage's key (the zip entry `archive/data/<key>`). */
  key: string;
  /** Elements the storage declares (default: the shape's). */
  elements?: number;
}

/** The pickle torch.save writes for a state dict of float16 tensors: an OrderedDict of _rebuild_tensor_v2 calls. */
export function stateDictPickle(tensors: PickledTensor[]): Buffer {
  const str = (s: string) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([Buffer.from('X'), u32(b.length), b]); };
  const int = (n: number) => Buffer.concat([Buffer.from('J'), u32(n)]);
  const global = (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`);
  const ints = (ns: number[]) => Buffer.concat([Buffer.from('('), ...ns.map(int), Buffer.from('t')]);
  const orderedDict = Buffer.concat([global('collections', 'OrderedDict'), Buffer.from(')R')]);
  const items = tensors.map((t) => {
    const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const count = t.shape.reduce((a, b) => a * b, 1);
    return Buffer.concat([
      str(t.name), global('torch._utils', '_rebuild_tensor_v2'), Buffer.from('('),
      Buffer.from('('), str('storage'), global('torch', 'HalfStorage'), str(t.key), str('cpu'), int(t.elements ?? count), Buffer.from('tQ'),
      int(0), ints(t.shape), ints(strides), Buffer.from([0x89]), orderedDict, Buffer.from('tR'),
    ]);
  });
  return Buffer.concat([Buffer.from([0x80, 0x02]), orderedDict, Buffer.from('('), ...items, Buffer.from('u.')]);
}

/**
 * A torch.save file of a float16 state dict of zeros, in the layout PyTorch writes ('archive/data.pkl',
 * 'archive/data/<i>' stored), except that `replace` gives some tensors' entries other contents.
 */
export function torchSaveFile(shapes: Map<string, number[]>, replace: Map<string, ZipInput['data']> = new Map()): Buffer {
  const tensors = [...shapes].map(([name, shape], i) => ({ name, shape, key: String(i) }));
  return zipArchive([
    { name: 'archive/data.pkl', data: stateDictPickle(tensors) },
    { name: 'archive/byteorder', data: Buffer.from('little') },
    ...tensors.map((t) => ({ name: `archive/data/${t.key}`, data: replace.get(t.name) ?? new Uint8Array(2 * t.shape.reduce((a, b) => a * b, 1)) })),
  ]);
}

import { constants } from 'buffer';
import * as zlib from 'zlib';
import { SssegError } from '@ssseg/core';

/** One file of a zip archive, as the central directory describes it; nothing is inflated. */
export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated (the two methods there are in practice; torch.save stores). */
  method: number;
  compressedSize: number;
  /** The size the archive claims for the entry's contents (a bigint: a hostile zip64 size need not fit a number). */
  size: bigint;
  /** Where the entry's stored or deflated bytes start in the archive. */
  dataStart: number;
  /** The CRC-32 of its contents, checked when they are read. */
  crc: number;
}

const END = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const UNKNOWN_32 = 0xffffffffn;
const MAX_LENGTH = constants.MAX_LENGTH;

/**
 * The entries of a zip archive, read from its central directory (zip64 included). Sizes and
 * offsets are checked against the file; no entry is inflated (zipEntryBytes does that, bounded).
 */
export function readZipDirectory(bytes: Uint8Array, file: string): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string) => new SssegError(`cannot read the zip archive: ${why}`, file);
  const inFile = (value: bigint, what: string): number => {
    if (value > BigInt(bytes.length)) throw fail(`${what} ${value} is past the end of the ${bytes.length}-byte file (truncated file?)`);
    return Number(value);
  };
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);

  // the end record: 22 bytes, then a comment of up to 65535
  let end = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff) && end < 0; at--) if (u32(at) === END) end = at;
  if (end < 0) throw fail('no end of central directory record (truncated file?)');
  let count = u16(end + 10);
  let at = u32(end + 16);
  if (end >= 20 && u32(end - 20) === ZIP64_LOCATOR) {
    const record = inFile(view.getBigUint64(end - 12, true), 'zip64 end record offset');
    if (record + 56 > bytes.length || u32(record) !== ZIP64_END) throw fail('no zip64 end record where its locator says (truncated file?)');
    count = inFile(view.getBigUint64(record + 32, true), 'entry count');
    at = inFile(view.getBigUint64(record + 48, true), 'central directory offset');
  }

  const entries = new Map<string, ZipEntry>();
  const utf8 = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || u32(at) !== CENTRAL) throw fail(`central directory entry ${i} is not where the directory says (truncated file?)`);
    const flags = u16(at + 8), method = u16(at + 10), crc = u32(at + 16);
    let compressed = BigInt(u32(at + 20)), size = BigInt(u32(at + 24)), local = BigInt(u32(at + 42));
    const nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32);
    if (at + 46 + nameLength + extraLength > bytes.length) throw fail(`central directory entry ${i} ends past the end of the file (truncated file?)`);
    const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // zip64: each of these three that did not fit 32 bits is in the extra field, in this order
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; e += 4 + u16(e + 2)) {
      if (u16(e) !== ZIP64_EXTRA) continue;
      let f = e + 4;
      const next = () => {
        if (f + 8 > e + 4 + u16(e + 2)) throw fail(`entry '${name}' has a zip64 field too short for its sizes`);
        const v = view.getBigUint64(f, true);
        f += 8;
        return v;
      };
      if (size === UNKNOWN_32) size = next();
      if (compressed === UNKNOWN_32) compressed = next();
      if (local === UNKNOWN_32) local = next();
    }
    if (flags & 1) throw fail(`entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) throw fail(`entry '${name}' uses compression method ${method}; only stored and deflated entries are read`);
    const header = inFile(local, `entry '${name}': local header offset`);
    if (header + 30 > bytes.length || u32(header) !== LOCAL) throw fail(`entry '${name}' has no local header where the directory says (truncated file?)`);
    const dataStart = header + 30 + u16(header + 26) + u16(header + 28);
    const compressedSize = inFile(compressed, `entry '${name}': compressed size`);
    if (dataStart + compressedSize > bytes.length) throw fail(`entry '${name}' ends past the end of the file (truncated file?)`);
    entries.set(name, { name, method, compressedSize, size, dataStart, crc });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * An entry's contents, which must be exactly `expected` bytes (`whose` says who declares that:
 * "its storage declares") and match the entry's CRC-32. A deflated entry is inflated to at most
 * that many bytes, so a stream that would produce more stops there with an error naming the file
 * and entry; memory stays bounded by `expected` whatever the archive claims.
 */
export function zipEntryBytes(bytes: Uint8Array, entry: ZipEntry, expected: number, whose: string, file: string): Uint8Array {
  const fail = (why: string) => new SssegError(`zip entry '${entry.name}' ${why}`, file);
  if (entry.size !== BigInt(expected)) throw fail(`claims ${entry.size} bytes where ${whose} ${expected}`);
  const contents = inflated(bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize), entry.method, expected, whose, fail);
  if (zlib.crc32(contents) !== entry.crc) throw fail('is damaged (CRC-32 mismatch)');
  return contents;
}

function inflated(raw: Uint8Array, method: number, expected: number, whose: string, fail: (why: string) => SssegError): Uint8Array {
  if (method === 0) {
    if (raw.length !== expected) throw fail(`stores ${raw.length} bytes where ${whose} ${expected}`);
    return raw;
  }
  if (expected > MAX_LENGTH) throw fail(`would inflate to ${expected} bytes, more than one buffer holds (${MAX_LENGTH})`);
  let out: Buffer;
  try {
    // at least 1: Node refuses a limit of 0
    out = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, expected) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw fail(`inflates to more than the ${expected} bytes ${whose}; stopped there`);
    throw fail(`is not a whole deflate stream (${(err as Error).message}; truncated file?)`);
  }
  if (out.length !== expected) throw fail(`inflates to ${out.length} bytes where ${whose} ${expected}`);
  return out;
}

import * as fs from 'fs';
import * as zlib from 'zlib';
import { tf } from '@ssseg/engine';
import { SssegError } from '../errors';
import { writeFileAtomic } from './atomic-write';

/** The format this version writes: its last 4 bytes are a CRC-32 of every byte before them. */
const MAGIC = 'SSSEGT2\n';
/** The format before checksums: still read, without verification (nothing to verify against). */
const MAGIC_UNVERIFIED = 'SSSEGT1\n';
const PREFIX_BYTES = MAGIC.length + 4;
const CHECKSUM_BYTES = 4;
type StoredDtype = 'float32' | 'int32';

interface TensorEntry {
  name: string;
  dtype: StoredDtype;
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  tensors: TensorEntry[];
  meta: Record<string, unknown>;
}

/** A tensor file whose bytes are not the ones written: a checksum mismatch, or bytes the format cannot hold. */
export class DamagedTensorFileError extends SssegError {
  constructor(readonly file: string, readonly reason: string) {
    super(`damaged (${reason})`, file);
    this.name = 'DamagedTensorFileError';
  }
}

/** Whether bytes start as a tensor file of either format version (the first 8 bytes decide). */
export function isTensorFile(bytes: Uint8Array): boolean {
  const magic = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAGIC.length)).toString('latin1');
  return magic === MAGIC || magic === MAGIC_UNVERIFIED;
}

const padTo8 = (n: number) => (8 - (n % 8)) % 8;

/**
 * One file of named tensors: the magic line, a little-endian uint32 header length, a JSON header
 * (names, dtypes, shapes, byte offsets, free-form metadata), the raw little-endian data, each
 * tensor 8-byte aligned, then a little-endian CRC-32 of all of it, checked on every load. Written
 * atomically (temporary file, then rename).
 */
export function saveTensorFile(file: string, tensors: Map<string, tf.Tensor>, meta: Record<string, unknown> = {}): void {
  const entries: TensorEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const dtype: StoredDtype = t.dtype === 'float32' ? 'float32' : 'int32';
    const values = t.dataSync();
    const typed = dtype === 'float32' ? Float32Array.from(values as Float32Array) : Int32Array.from(values as Int32Array);
    const bytes = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    entries.push({ name, dtype, shape: t.shape, offset, byteLength: bytes.byteLength });
    chunks.push(bytes);
    const pad = padTo8(bytes.byteLength);
    if (pad) chunks.push(new Uint8Array(pad));
    offset += bytes.byteLength + pad;
  }
  let json = Buffer.from(JSON.stringify({ tensors: entries, meta } satisfies Header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc(padTo8(PREFIX_BYTES + json.length), 0x20)]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const body = [Buffer.from(MAGIC, 'latin1'), length, json, ...chunks];
  const checksum = Buffer.alloc(CHECKSUM_BYTES);
  checksum.writeUInt32LE(body.reduce((crc, chunk) => zlib.crc32(chunk, crc), 0));
  writeFileAtomic(file, [...body, checksum]);
}

export interface TensorFile {
  tensors: Map<string, tf.Tensor>;
  meta: Record<string, unknown>;
}

interface ParsedTensorFile {
  header: Header;
  dataStart: number;
  /** False for a file of the format before checksums. */
  verified: boolean;
}

function readBytes(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read checkpoint: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
}

/** The end of the last tensor's padded data: where the data of a file as written ends. */
function dataEnd(header: Header, dataStart: number): number {
  return header.tensors.reduce((end, e) => Math.max(end, dataStart + e.offset + e.byteLength + padTo8(e.byteLength)), dataStart);
}

function parseHeader(buf: Buffer, end: number, file: string): { header: Header; dataStart: number } {
  const dataStart = PREFIX_BYTES + buf.readUInt32LE(MAGIC.length);
  if (dataStart > end) throw new SssegError('corrupt header (longer than the file)', file);
  try {
    const header = JSON.parse(buf.toString('utf8', PREFIX_BYTES, dataStart)) as Header;
    if (Array.isArray(header?.tensors)) return { header, dataStart };
  } catch {
    // reported below
  }
  throw new SssegError('corrupt header', file);
}

/** Checks a tensor file's bytes against its checksum and reads its header; tensors are not made. */
function parseTensorFile(buf: Buffer, file: string): ParsedTensorFile {
  if (buf.length < PREFIX_BYTES || !isTensorFile(buf)) throw new SssegError('not an ssseg tensor file (bad magic)', file);
  if (buf.toString('latin1', 0, MAGIC.length) === MAGIC_UNVERIFIED) {
    const { header, dataStart } = parseHeader(buf, buf.length, file);
    // the one check this format allows: its writer ended the file right after the last tensor
    const end = dataEnd(header, dataStart);
    if (buf.length > end) throw new DamagedTensorFileError(file, `${buf.length - end} bytes after the last tensor of a file written before checksums`);
    return { header, dataStart, verified: false };
  }
  const body = buf.length - CHECKSUM_BYTES;
  if (body < PREFIX_BYTES || zlib.crc32(buf.subarray(0, body)) !== buf.readUInt32LE(body)) {
    throw new DamagedTensorFileError(file, 'checksum mismatch');
  }
  const { header, dataStart } = parseHeader(buf, body, file);
  return { header, dataStart, verified: true };
}

/**
 * Reads a tensor file, verifying its checksum (files written before checksums load unverified);
 * a damaged, truncated or foreign file gets an error naming it.
 */
export function loadTensorFile(file: string): TensorFile {
  const buf = readBytes(file);
  const { header, dataStart, verified } = parseTensorFile(buf, file);
  const end = verified ? buf.length - CHECKSUM_BYTES : buf.length;
  const tensors = new Map<string, tf.Tensor>();
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    if (start + e.byteLength > end) {
      tf.dispose([...tensors.values()]);
      throw new SssegError(`truncated: tensor '${e.name}' extends past the end of the file`, file);
    }
    const bytes = buf.subarray(start, start + e.byteLength);
    const copy = new Uint8Array(bytes).buffer; // aligned copy for the typed view
    const values = e.dtype === 'float32' ? new Float32Array(copy) : new Int32Array(copy);
    tensors.set(e.name, tf.tensor(values, e.shape, e.dtype));
  }
  return { tensors, meta: header.meta ?? {} };
}

/**
 * A tensor file's metadata once its checksum verifies (`verified` false: a file written before
 * checksums); throws as loadTensorFile does. No tensor is made.
 */
export function verifyTensorFile(file: string): { meta: Record<string, unknown>; verified: boolean } {
  const { header, verified } = parseTensorFile(readBytes(file), file);
  return { meta: header.meta ?? {}, verified };
}

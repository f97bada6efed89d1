import * as fs from 'fs';
import { tf } from '@ssseg/engine';
import { SssegError } from '../errors';
import { writeFileAtomic } from './atomic-write';

const MAGIC = 'SSSEGT1\n';
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

/**
 * One file of named tensors: the magic line, a little-endian uint32 header length, a JSON header
 * (names, dtypes, shapes, byte offsets, free-form metadata), then the raw little-endian data,
 * each tensor 8-byte aligned. Written atomically (temporary file, then rename).
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
    const pad = (8 - (bytes.byteLength % 8)) % 8;
    if (pad) chunks.push(new Uint8Array(pad));
    offset += bytes.byteLength + pad;
  }
  let json = Buffer.from(JSON.stringify({ tensors: entries, meta } satisfies Header), 'utf8');
  const headerPad = (8 - ((MAGIC.length + 4 + json.length) % 8)) % 8;
  json = Buffer.concat([json, Buffer.alloc(headerPad, 0x20)]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  writeFileAtomic(file, [Buffer.from(MAGIC, 'latin1'), length, json, ...chunks]);
}

export interface TensorFile {
  tensors: Map<string, tf.Tensor>;
  meta: Record<string, unknown>;
}

/** Reads a tensor file; a truncated or foreign file gets an error naming it. */
export function loadTensorFile(file: string): TensorFile {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new SssegError(`cannot read checkpoint: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  }
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) {
    throw new SssegError('not an ssseg tensor file (bad magic)', file);
  }
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, dataStart));
  } catch {
    throw new SssegError('corrupt header', file);
  }
  const tensors = new Map<string, tf.Tensor>();
  for (const e of header.tensors) {
    const start = dataStart + e.offset;
    if (start + e.byteLength > buf.length) {
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

import { SssegError } from '@ssseg/core';
import { DTYPE_BYTES, SourceTensor, decodeElements, type SourceDtype } from './source-tensor';
import { parseJsonExactIntegers } from './exact-json';

const DTYPES: Record<string, SourceDtype> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/**
 * A safetensors file starts with its little-endian u64 header length, then the JSON header's '{'.
 * A header opening '{"' (or '{}') is taken as one whatever the length says, so an impossible
 * length is refused as a safetensors file's fault rather than the file passing for another format.
 */
export function looksLikeSafetensors(bytes: Uint8Array, fileSize = bytes.length): boolean {
  if (bytes.length < 10 || bytes[8] !== 0x7b) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
  return (length > 1n && length <= BigInt(fileSize - 8)) || bytes[9] === 0x22 || bytes[9] === 0x7d;
}

interface Located {
  name: string;
  dtype: SourceDtype;
  shape: number[];
  begin: bigint;
  end: bigint;
}

const isInteger = (v: unknown): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
/** A header value as the file wrote it (BigInt digits exact), for a message. */
const show = (v: unknown): string => (Array.isArray(v) ? `[${v.map(show).join(', ')}]` : typeof v === 'bigint' ? String(v) : JSON.stringify(v) ?? String(v));

/**
 * Reads a .safetensors file (8-byte little-endian header length, a JSON header of
 * name -> { dtype, shape, data_offsets }, then the data) into name -> tensor. Every tensor's
 * offsets must lie in the data, hold its shape exactly, and share no byte with another's; numbers
 * in messages are the file's own, every digit.
 */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, SourceTensor> {
  const refuse = (why: string) => new SssegError(`safetensors file: ${why}`, file);
  if (bytes.length < 8) throw refuse(`${bytes.length} bytes, shorter than its 8-byte header length (truncated?)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
  const after = BigInt(bytes.length - 8);
  if (headerLength > after) throw refuse(`header length ${headerLength} is more than the ${after} bytes after it (truncated, or not a safetensors file)`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = parseJsonExactIntegers(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    throw refuse(`header is not JSON: ${(err as Error).message}`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw refuse('header is not a JSON object of tensors');
  const data = bytes.subarray(dataStart);
  const dataLength = BigInt(data.length);
  const located: Located[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>)) {
    if (name === '__metadata__') continue;
    const dtype = DTYPES[String(entry?.dtype)];
    if (!dtype) throw new SssegError(`tensor '${name}' has dtype '${String(entry?.dtype)}', which ssseg does not read`, file);
    const { shape, data_offsets: offsets } = entry;
    if (!Array.isArray(shape) || !shape.every((d) => isInteger(d) && d >= 0)) throw refuse(`tensor '${name}' has shape ${show(shape)}, not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => isInteger(o) && o >= 0)) throw refuse(`tensor '${name}' has data_offsets ${show(offsets)}, not two byte offsets`);
    const [begin, end] = offsets.map(BigInt);
    const where = `tensor '${name}' has data offsets [${begin}, ${end}]`;
    if (begin > end) throw refuse(`${where}: out of order (the end before the start)`);
    if (end > dataLength) throw refuse(`${where} past the end of its ${dataLength} data bytes (truncated?)`);
    const needs = shape.reduce<bigint>((n, d) => n * BigInt(d), 1n) * BigInt(DTYPE_BYTES[dtype]);
    if (end - begin !== needs) throw refuse(`${where}, ${end - begin} bytes, where its shape ${show(shape)} of ${entry.dtype} needs ${needs}`);
    located.push({ name, dtype, shape: shape.map(Number), begin, end });
  }
  // an empty tensor holds no byte, wherever its offsets point
  const inOrder = located.filter((t) => t.end > t.begin).sort((a, b) => (a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : 0));
  for (let i = 1; i < inOrder.length; i++) {
    const [a, b] = [inOrder[i - 1], inOrder[i]];
    if (b.begin < a.end) {
      throw refuse(`tensors '${a.name}' (data offsets [${a.begin}, ${a.end}]) and '${b.name}' ([${b.begin}, ${b.end}]) overlap: a byte of data belongs to one tensor only`);
    }
  }
  const out = new Map<string, SourceTensor>();
  for (const { name, dtype, shape, begin, end } of located) {
    const slice = data.subarray(Number(begin), Number(end));
    out.set(name, new SourceTensor(dtype, shape, () => decodeElements(slice, dtype, shape)));
  }
  return out;
}

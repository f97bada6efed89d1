import { SssegError } from '@ssseg/core';
import { DTYPE_BYTES, SourceTensor, decodeElements, type SourceDtype } from './source-tensor';

const DTYPES: Record<string, SourceDtype> = {
  F32: 'float32', F64: 'float64', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

/** A safetensors header starts with its little-endian u64 length, then '{'. */
export function looksLikeSafetensors(bytes: Uint8Array, fileSize = bytes.length): boolean {
  if (bytes.length < 9) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
  return length > 1n && length <= BigInt(fileSize - 8) && bytes[8] === 0x7b;
}

/**
 * Reads a .safetensors file (8-byte little-endian header length, a JSON header of
 * name -> { dtype, shape, data_offsets }, then the data) into name -> tensor.
 */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, SourceTensor> {
  if (bytes.length < 8) throw new SssegError('not a safetensors file (shorter than its header length)', file);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) throw new SssegError(`not a safetensors file, or truncated: header of ${headerLength} bytes in a file of ${bytes.length}`, file);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    throw new SssegError(`safetensors header is not JSON: ${(err as Error).message}`, file);
  }
  const data = bytes.subarray(8 + headerLength);
  const out = new Map<string, SourceTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = DTYPES[entry?.dtype];
    if (!dtype) throw new SssegError(`tensor '${name}' has dtype '${entry?.dtype}', which ssseg does not read`, file);
    const shape = entry.shape;
    const [begin, end] = entry.data_offsets ?? [];
    const count = Array.isArray(shape) ? shape.reduce((a, b) => a * b, 1) : NaN;
    if (!(Number.isInteger(begin) && Number.isInteger(end) && end <= data.length && end - begin === count * DTYPE_BYTES[dtype])) {
      throw new SssegError(`tensor '${name}' ([${shape}], ${entry.dtype}) has data offsets [${begin}, ${end}] that do not fit it or the file (${data.length} data bytes; truncated?)`, file);
    }
    const slice = data.subarray(begin, end);
    out.set(name, new SourceTensor(dtype, shape, () => decodeElements(slice, dtype, shape)));
  }
  return out;
}

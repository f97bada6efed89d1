/** Element types of tensors in foreign weight files, by the name PyTorch and safetensors give them. */
export type SourceDtype = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Record<SourceDtype, number> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export function isFloatDtype(dtype: SourceDtype): boolean {
  return dtype.startsWith('float') || dtype === 'bfloat16';
}

/**
 * A tensor read from a foreign file, in its own layout (PyTorch's: conv weights [out, in, kh, kw]).
 * Values are decoded on demand, so tensors a caller drops (ImageNet classifiers, counters) cost nothing.
 */
export class SourceTensor {
  constructor(
    readonly dtype: SourceDtype,
    readonly shape: number[],
    private readonly decode: () => Float32Array,
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** The values as float32, row-major. */
  values(): Float32Array {
    return this.decode();
  }

  static fromValues(shape: number[], values: Float32Array): SourceTensor {
    return new SourceTensor('float32', shape, () => values);
  }
}

/**
 * `count` little-endian elements of `dtype` from `bytes` starting at element `offset`, as float32,
 * gathered with the given strides (PyTorch tensors are views into a storage).
 */
export function decodeElements(bytes: Uint8Array, dtype: SourceDtype, shape: number[], offset = 0, strides = contiguousStrides(shape)): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const contiguous = contiguousStrides(shape);
  const isContiguous = strides.every((s, i) => s === contiguous[i]);
  // float32 on this (little-endian) machine: one copy instead of an element-by-element read
  if (isContiguous && dtype === 'float32') return new Float32Array(Uint8Array.prototype.slice.call(bytes, offset * 4, (offset + count) * 4).buffer);
  const read = elementReader(bytes, dtype);
  const out = new Float32Array(count);
  if (isContiguous) {
    for (let i = 0; i < count; i++) out[i] = read(offset + i);
    return out;
  }
  const index = new Array(shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d] * strides[d];
    out[i] = read(at);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

export function contiguousStrides(shape: number[]): number[] {
  const strides = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

function elementReader(bytes: Uint8Array, dtype: SourceDtype): (i: number) => number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32': return (i) => view.getFloat32(i * 4, true);
    case 'float64': return (i) => view.getFloat64(i * 8, true);
    case 'float16': return (i) => halfToFloat(view.getUint16(i * 2, true));
    case 'bfloat16': {
      const scratch = new DataView(new ArrayBuffer(4));
      return (i) => (scratch.setUint32(0, view.getUint16(i * 2, true) << 16), scratch.getFloat32(0));
    }
    case 'int64': return (i) => Number(view.getBigInt64(i * 8, true));
    case 'int32': return (i) => view.getInt32(i * 4, true);
    case 'int16': return (i) => view.getInt16(i * 2, true);
    case 'int8': return (i) => view.getInt8(i);
    case 'uint8':
    case 'bool': return (i) => view.getUint8(i);
  }
}

/** IEEE 754 half precision bits to a number (subnormals, infinities and NaN included). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

import { readSafetensors, looksLikeSafetensors } from './safetensors-file';
import { decodeElements, halfToFloat } from './source-tensor';

/** A safetensors file written byte by byte from its published layout: u64 header length, JSON header, data. */
function safetensors(header: object, data: number[]): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Uint8Array.from(Buffer.concat([length, json, Buffer.from(data)]));
}

const header = {
  __metadata__: { format: 'pt' },
  half: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
  brain: { dtype: 'BF16', shape: [1], data_offsets: [6, 8] },
  float: { dtype: 'F32', shape: [1, 2], data_offsets: [8, 16] },
};
// f16 1, -2, 65504; bf16 1; f32 0.5, 3 (little-endian)
const data = [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x80, 0x3f, 0, 0, 0, 0x3f, 0, 0, 0x40, 0x40];

describe('safetensors reader', () => {
  it('reads every tensor with its dtype and shape, as float32', () => {
    const file = safetensors(header, data);
    expect(looksLikeSafetensors(file)).toBe(true);
    const tensors = readSafetensors(file, 'm.safetensors');
    expect([...tensors.keys()]).toEqual(['half', 'brain', 'float']);
    expect(Array.from(tensors.get('half')!.values())).toEqual([1, -2, 65504]);
    expect(Array.from(tensors.get('brain')!.values())).toEqual([1]);
    expect(tensors.get('float')!.shape).toEqual([1, 2]);
    expect(Array.from(tensors.get('float')!.values())).toEqual([0.5, 3]);
  });

  it('names the file and the tensor when the data is cut short or the header is not JSON', () => {
    const torn = safetensors(header, data.slice(0, 12));
    expect(() => readSafetensors(torn, 'torn.safetensors')).toThrow("torn.safetensors: tensor 'float' ([1,2], F32) has data offsets [8, 16] that do not fit it or the file (12 data bytes; truncated?)");
    const bad = Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from('{oops')]);
    expect(() => readSafetensors(bad, 'bad.safetensors')).toThrow(/^bad\.safetensors: safetensors header is not JSON/);
    expect(() => readSafetensors(safetensors({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Array(8).fill(0)), 'c.safetensors'))
      .toThrow("c.safetensors: tensor 'x' has dtype 'C64', which ssseg does not read");
  });
});

describe('tensor decoding', () => {
  it('converts half precision, subnormals and specials included', () => {
    expect([0x3c00, 0xc000, 0x0001, 0x7c00, 0xfc00, 0x3555].map(halfToFloat)).toEqual([1, -2, 2 ** -24, Infinity, -Infinity, 0.333251953125]);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('gathers a strided view (a transposed PyTorch tensor) in row-major order', () => {
    const storage = new Uint8Array(Float32Array.from([9, 1, 2, 3, 4]).buffer);
    // offset 1, shape [2, 2], strides [1, 2]: the transpose of [[1, 2], [3, 4]]
    expect(Array.from(decodeElements(storage, 'float32', [2, 2], 1, [1, 2]))).toEqual([1, 3, 2, 4]);
    expect(Array.from(decodeElements(storage, 'float32', [2, 2], 1))).toEqual([1, 2, 3, 4]);
  });
});

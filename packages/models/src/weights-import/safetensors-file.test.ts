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
    expect(() => readSafetensors(torn, 'torn.safetensors')).toThrow("torn.safetensors: safetensors file: tensor 'float' has data offsets [8, 16] past the end of its 12 data bytes (truncated?)");
    const bad = Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0, ...Buffer.from('{oops')]);
    expect(() => readSafetensors(bad, 'bad.safetensors')).toThrow(/^bad\.safetensors: safetensors file: header is not JSON/);
    expect(() => readSafetensors(safetensors({ x: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Array(8).fill(0)), 'c.safetensors'))
      .toThrow("c.safetensors: tensor 'x' has dtype 'C64', which ssseg does not read");
  });
});

describe('safetensors reader refuses offsets that are not a layout of the data', () => {
  const shaped = (offsets: Record<string, [number | string, number | string]>) =>
    Object.fromEntries(Object.entries(offsets).map(([name, o]) => [name, { dtype: 'F32', shape: [2], data_offsets: o }]));
  const data16 = new Array(16).fill(0);

  it('two tensors sharing bytes, whatever order the header lists them in; not empty tensors', () => {
    expect(() => readSafetensors(safetensors(shaped({ b: [4, 12], a: [0, 8] }), data16), 'o.safetensors'))
      .toThrow("o.safetensors: safetensors file: tensors 'a' (data offsets [0, 8]) and 'b' ([4, 12]) overlap: a byte of data belongs to one tensor only");
    expect(() => readSafetensors(safetensors(shaped({ a: [0, 8], same: [0, 8] }), data16), 'o.safetensors')).toThrow(/tensors 'a' .* and 'same' .* overlap/);
    const empty = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, none: { dtype: 'F32', shape: [0], data_offsets: [4, 4] } };
    expect([...readSafetensors(safetensors(empty, data16), 'e.safetensors').keys()]).toEqual(['a', 'none']);
  });

  it('an end before its start, and offsets that do not hold the shape', () => {
    expect(() => readSafetensors(safetensors(shaped({ a: [8, 0] }), data16), 'r.safetensors'))
      .toThrow("r.safetensors: safetensors file: tensor 'a' has data offsets [8, 0]: out of order (the end before the start)");
    expect(() => readSafetensors(safetensors(shaped({ a: [0, 12] }), data16), 's.safetensors'))
      .toThrow("s.safetensors: safetensors file: tensor 'a' has data offsets [0, 12], 12 bytes, where its shape [2] of F32 needs 8");
  });

  it('says offsets and shapes beyond 2^53 with every digit, and a header length larger than the file', () => {
    const huge = '18446744073709551615';
    const json = Buffer.from(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,${huge}]},"layer1.99999999999999999":{"dtype":"F32","shape":[${huge}],"data_offsets":[0,8]}}`);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    const file = Uint8Array.from(Buffer.concat([length, json, Buffer.from(data16)]));
    expect(() => readSafetensors(file, 'h.safetensors')).toThrow(`h.safetensors: safetensors file: tensor 'a' has data offsets [0, ${huge}] past the end of its 16 data bytes (truncated?)`);
    const impossible = Uint8Array.from(Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x10]), Buffer.from('{"a":{}}')]));
    expect(looksLikeSafetensors(impossible)).toBe(true);
    expect(() => readSafetensors(impossible, 'l.safetensors'))
      .toThrow('l.safetensors: safetensors file: header length 1152921504606846976 is more than the 8 bytes after it (truncated, or not a safetensors file)');
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

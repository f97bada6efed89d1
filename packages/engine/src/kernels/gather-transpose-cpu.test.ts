import { tf } from '../tf';
import { initEngine } from '../backends';
import { expectNoLeak, testBackends } from '../testing';
import { flatOf, indexOf } from './naive-index';

// References element by element from the definitions.
const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7) % 13) - 6.5);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function naiveTranspose(x: Float32Array, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  return Array.from({ length: x.length }, (_, i) => {
    const out = indexOf(outShape, i);
    const src = new Array<number>(shape.length);
    perm.forEach((p, d) => (src[p] = out[d]));
    return x[flatOf(shape, src)];
  });
}

function naiveGather(x: Float32Array, shape: number[], axis: number, indices: number[]): number[] {
  const outShape = [...shape.slice(0, axis), indices.length, ...shape.slice(axis + 1)];
  return Array.from({ length: size(outShape) }, (_, i) => {
    const index = indexOf(outShape, i);
    index[axis] = indices[index[axis]];
    return x[flatOf(shape, index)];
  });
}

describe.each(testBackends())('GatherV2 and Transpose on %s match the definitions', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend, verbose: false });
  });

  it.each([
    { shape: [2, 3, 4], perm: [0, 2, 1] },
    { shape: [2, 3, 4], perm: [2, 0, 1] },
    { shape: [5, 7], perm: [1, 0] },
    { shape: [2, 3, 4, 5], perm: [3, 1, 0, 2] },
    { shape: [1, 6, 1], perm: [2, 1, 0] },
  ])('transposes $shape by $perm', async ({ shape, perm }) => {
    const x = values(size(shape));
    await expectNoLeak(() =>
      tf.tidy(() => {
        const out = tf.transpose(tf.tensor(x, shape), perm);
        expect(out.shape).toEqual(perm.map((p) => shape[p]));
        expect(Array.from(out.dataSync())).toEqual(naiveTranspose(x, shape, perm));
      }),
    );
  });

  it.each([
    { shape: [6, 3], axis: 0, indices: [5, 0, 2, 2] },
    { shape: [2, 5, 3], axis: 1, indices: [4, 1] },
    { shape: [2, 3, 4], axis: 2, indices: [3, 3, 0] },
    { shape: [4, 2], axis: -2, indices: [] },
  ])('gathers $shape along $axis at $indices', async ({ shape, axis, indices }) => {
    const x = values(size(shape));
    const $axis = axis < 0 ? shape.length + axis : axis;
    await expectNoLeak(() =>
      tf.tidy(() => {
        const out = tf.gather(tf.tensor(x, shape), tf.tensor1d(indices, 'int32'), axis);
        expect(out.shape).toEqual([...shape.slice(0, $axis), indices.length, ...shape.slice($axis + 1)]);
        expect(Array.from(out.dataSync())).toEqual(naiveGather(x, shape, $axis, indices));
      }),
    );
  });

  it('gathers with 2-D indices, int32 values, and keeps the stock error for an index out of range', async () => {
    await expectNoLeak(() =>
      tf.tidy(() => {
        const out = tf.gather(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32'), tf.tensor2d([[2, 0], [1, 1]], [2, 2], 'int32'));
        expect(out.shape).toEqual([2, 2, 2]);
        expect(out.dtype).toBe('int32');
        expect(Array.from(out.dataSync())).toEqual([5, 6, 1, 2, 3, 4, 3, 4]);
        if (backend !== 'wasm') expect(() => tf.gather(tf.tensor1d([1, 2]), tf.tensor1d([2], 'int32')).dataSync()).toThrow(/2/);
      }),
    );
  });
});

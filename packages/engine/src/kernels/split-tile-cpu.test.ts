import { tf } from '../tf';
import { initEngine } from '../backends';
import { expectNoLeak, testBackends } from '../testing';
import { flatOf, indexOf } from './naive-index';

// References computed element by element from the definitions, not by copying runs.
const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);

function naiveTile(values: Float32Array, shape: number[], reps: number[]): number[] {
  const outShape = shape.map((d, i) => d * reps[i]);
  const n = outShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => values[flatOf(shape, indexOf(outShape, i).map((k, d) => k % shape[d]))]);
}

function naiveSplit(values: Float32Array, shape: number[], axis: number, sizes: number[]): number[][] {
  let begin = 0;
  return sizes.map((size) => {
    const outShape = shape.slice();
    outShape[axis] = size;
    const n = outShape.reduce((a, b) => a * b, 1);
    const piece = Array.from({ length: n }, (_, i) => {
      const index = indexOf(outShape, i);
      index[axis] += begin;
      return values[flatOf(shape, index)];
    });
    begin += size;
    return piece;
  });
}

describe.each(testBackends())('SplitV and Tile on %s match the definitions', (backend) => {
  beforeAll(async () => {
    await initEngine({ backend, verbose: false });
  });

  it.each([
    { shape: [2, 3, 4, 5], axis: 3, sizes: [2, 3] },
    { shape: [2, 3, 4, 5], axis: -1, sizes: [1, 1, 3] },
    { shape: [2, 3, 4, 5], axis: 1, sizes: [1, 2] },
    { shape: [6, 2], axis: 0, sizes: [3, 3] },
    { shape: [2, 4, 3], axis: 1, sizes: [0, 4] },
  ])('split $shape along $axis into $sizes', async ({ shape, axis, sizes }) => {
    const values = iota(shape.reduce((a, b) => a * b, 1));
    const $axis = axis < 0 ? shape.length + axis : axis;
    const expected = naiveSplit(values, shape, $axis, sizes);
    await expectNoLeak(() =>
      tf.tidy(() => {
        const pieces = tf.split(tf.tensor(values, shape), sizes, axis);
        pieces.forEach((piece, i) => expect(Array.from(piece.dataSync())).toEqual(expected[i]));
      }),
    );
  });

  it.each([
    { shape: [2, 3], reps: [2, 3] },
    { shape: [2, 1, 3, 1], reps: [1, 4, 1, 2] },
    { shape: [3], reps: [4] },
    { shape: [1, 2, 2, 3], reps: [2, 1, 1, 1] },
  ])('tile $shape by $reps', async ({ shape, reps }) => {
    const values = iota(shape.reduce((a, b) => a * b, 1));
    await expectNoLeak(() =>
      tf.tidy(() => {
        const out = tf.tile(tf.tensor(values, shape), reps);
        expect(out.shape).toEqual(shape.map((d, i) => d * reps[i]));
        expect(Array.from(out.dataSync())).toEqual(naiveTile(values, shape, reps));
      }),
    );
  });

  it('tiles int32 and bool tensors too', async () => {
    await expectNoLeak(() =>
      tf.tidy(() => {
        const ints = tf.tile(tf.tensor1d([1, 2], 'int32'), [2]);
        const bools = tf.tile(tf.tensor1d([1, 0], 'bool'), [2]);
        expect(Array.from(ints.dataSync())).toEqual([1, 2, 1, 2]);
        expect(ints.dtype).toBe('int32');
        expect(Array.from(bools.dataSync())).toEqual([1, 0, 1, 0]);
      }),
    );
  });
});

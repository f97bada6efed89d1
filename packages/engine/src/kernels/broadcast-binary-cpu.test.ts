import { tf } from '../tf';
import '../register-all-kernels';
import { describeWithBackends, expectArraysClose, expectNoLeak } from '../testing';

// Reference by explicit index arithmetic in float64.
function naiveBroadcast(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], op: (x: number, y: number) => number) {
  const rank = Math.max(aShape.length, bShape.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const as = pad(aShape), bs = pad(bShape);
  const outShape = as.map((d, i) => Math.max(d, bs[i]));
  const size = outShape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(size);
  for (let o = 0; o < size; o++) {
    let rem = o, ai = 0, bi = 0, aMul = 1, bMul = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const idx = rem % outShape[d];
      rem = Math.floor(rem / outShape[d]);
      ai += (as[d] === 1 ? 0 : idx) * aMul;
      bi += (bs[d] === 1 ? 0 : idx) * bMul;
      aMul *= as[d];
      bMul *= bs[d];
    }
    out[o] = op(a[ai], b[bi]);
  }
  return out;
}

const cases: [number[], number[]][] = [
  [[2, 3, 5, 4], [2, 3, 5, 1]],
  [[2, 3, 5, 4], [4]],
  [[3, 1, 4], [1, 5, 1]],
  [[1, 6], [3, 1]],
  [[2, 1, 3, 1], [2, 4, 3, 5]],
];

describeWithBackends('broadcasting binary ops', () => {
  it.each(cases)('match index arithmetic for %j with %j', async (aShape, bShape) => {
    await expectNoLeak(() => {
      const av = Float32Array.from({ length: aShape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i) + 2);
      const bv = Float32Array.from({ length: bShape.reduce((x, y) => x * y, 1) }, (_, i) => Math.cos(i) + 2);
      const ops: [(x: tf.Tensor, y: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
        [tf.add, (x, y) => x + y], [tf.sub, (x, y) => x - y], [tf.mul, (x, y) => x * y], [tf.div, (x, y) => x / y],
      ];
      for (const [op, ref] of ops) {
        const y = tf.tidy(() => op(tf.tensor(av, aShape), tf.tensor(bv, bShape)));
        expectArraysClose(y.dataSync(), naiveBroadcast(av, aShape, bv, bShape, ref), 1e-6, 1e-6);
        y.dispose();
      }
    });
  });
});

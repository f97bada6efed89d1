import { tf } from '../tf';
import '../register-all-kernels';
import { describeWithBackends, expectArraysClose, expectNoLeak } from '../testing';
import { convInfo, finiteDifferenceGradient, naiveConv, type ConvCase } from './naive-conv-reference';
import { dilatedConv2dBackpropFilter, dilatedConv2dBackpropInput } from './dilated-conv-backprop';

function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const conv2dCases: ConvCase[] = [];
for (const pad of ['same', 'valid'] as const) {
  for (const [strides, dilations] of [[1, 1], [2, 1], [1, 2]]) {
    conv2dCases.push({ xShape: [2, 7, 9, 3], filterShape: [3, 3, 3, 4], strides, dilations, pad, depthwise: false });
  }
  conv2dCases.push({ xShape: [1, 8, 6, 2], filterShape: [2, 3, 2, 3], strides: 2, dilations: 1, pad, depthwise: false });
  conv2dCases.push({ xShape: [1, 9, 8, 2], filterShape: [3, 2, 2, 3], strides: 1, dilations: 3, pad, depthwise: false });
}
const depthwiseCases: ConvCase[] = conv2dCases.map((c) => ({ ...c, xShape: [1, c.xShape[1], c.xShape[2], c.xShape[3]], filterShape: [c.filterShape[0], c.filterShape[1], c.xShape[3], 2], depthwise: true }));

function label(c: ConvCase): string {
  return `x ${c.xShape.join('x')}, filter ${c.filterShape.join('x')}, stride ${c.strides}, dilation ${c.dilations}, ${c.pad}`;
}

function checkGradients(c: ConvCase): void {
  const xv = seeded(size(c.xShape), 1), wv = seeded(size(c.filterShape), 2);
  const info = convInfo(c);
  const r = seeded(info.batchSize * info.outHeight * info.outWidth * info.outChannels, 3);
  const op = (x: tf.Tensor4D, w: tf.Tensor4D) =>
    c.depthwise ? tf.depthwiseConv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations) : tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations);
  const y = tf.tidy(() => op(tf.tensor4d(xv, c.xShape), tf.tensor4d(wv, c.filterShape)));
  expectArraysClose(y.dataSync(), naiveConv(xv, wv, c), 1e-4, 1e-5);
  y.dispose();
  const [dx, dw] = tf.tidy(() => {
    const x = tf.tensor4d(xv, c.xShape), w = tf.tensor4d(wv, c.filterShape), rt = tf.tensor(r, info.outShape);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D), rt)))([x, w]);
  });
  const expectedDx = finiteDifferenceGradient(xv, r, (v) => naiveConv(v, wv, c));
  const expectedDw = finiteDifferenceGradient(wv, r, (v) => naiveConv(xv, v, c));
  expectArraysClose(dx.dataSync(), expectedDx, 1e-3, 1e-4);
  expectArraysClose(dw.dataSync(), expectedDw, 1e-3, 1e-4);
  tf.dispose([dx, dw]);
}

describeWithBackends('conv2d gradients', () => {
  it.each(conv2dCases.map((c) => [label(c), c] as const))('match finite differences (%s)', async (_, c) => {
    await expectNoLeak(() => checkGradients(c));
  });

  // The fallback for backends without the engine's dilation-aware kernels (tfjs-node), run here directly.
  it.each(conv2dCases.filter((c) => c.dilations > 1).map((c) => [label(c), c] as const))('any-backend dilated gradients match finite differences (%s)', async (_, c) => {
    await expectNoLeak(() => {
      const info = convInfo(c);
      const xv = seeded(size(c.xShape), 1), wv = seeded(size(c.filterShape), 2), r = seeded(size(info.outShape), 3);
      const [dx, dw] = tf.tidy(() => {
        const x = tf.tensor4d(xv, c.xShape), w = tf.tensor4d(wv, c.filterShape), dy = tf.tensor4d(r, info.outShape);
        return [dilatedConv2dBackpropInput(dy, w, info), dilatedConv2dBackpropFilter(x, dy, info)];
      });
      expect(dx.shape).toEqual(c.xShape);
      expect(dw.shape).toEqual(c.filterShape);
      expectArraysClose(dx.dataSync(), finiteDifferenceGradient(xv, r, (v) => naiveConv(v, wv, c)), 1e-3, 1e-4);
      expectArraysClose(dw.dataSync(), finiteDifferenceGradient(wv, r, (v) => naiveConv(xv, v, c)), 1e-3, 1e-4);
      tf.dispose([dx, dw]);
    });
  });
});

describeWithBackends('depthwiseConv2d gradients', () => {
  it.each(depthwiseCases.map((c) => [label(c), c] as const))('match finite differences (%s)', async (_, c) => {
    await expectNoLeak(() => checkGradients(c));
  });
});

describeWithBackends('flipLeftRight gradient', () => {
  it('is the flipped upstream gradient', async () => {
    await expectNoLeak(() => {
      const xv = seeded(2 * 3 * 5 * 2, 4), r = seeded(2 * 3 * 5 * 2, 5);
      const g = tf.tidy(() => {
        const rt = tf.tensor4d(r, [2, 3, 5, 2]);
        return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.flipLeftRight(x as tf.Tensor4D), rt)))(tf.tensor4d(xv, [2, 3, 5, 2]));
      });
      const flip = (v: Float64Array) => {
        const out = new Float64Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const c = i % 2, w = Math.floor(i / 2) % 5, rest = Math.floor(i / 10);
          out[(rest * 5 + (4 - w)) * 2 + c] = v[i];
        }
        return out;
      };
      expectArraysClose(g.dataSync(), finiteDifferenceGradient(xv, r, flip), 1e-5, 1e-6);
      g.dispose();
    });
  });
});

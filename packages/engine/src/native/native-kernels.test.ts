import { tf } from '../tf';
import '../register-all-kernels';
import { initEngine } from '../backends';
import { describeIf, expectArraysClose, expectNoLeak } from '../testing';
import { nativeUnavailableReason } from './addon';

function seeded(shape: number[], seed: number): tf.Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  }), shape);
}

type Op = (...xs: tf.Tensor[]) => tf.Tensor;

/** The op's value and its gradients (for a fixed random cotangent) on one backend, as plain arrays. */
async function valueAndGrads(backend: string, op: Op, shapes: number[][], withGrads: boolean): Promise<Float32Array[]> {
  await initEngine({ backend, verbose: false });
  return expectNoLeak(() => {
    const out = tf.tidy(() => {
      const xs = shapes.map((s, i) => seeded(s, 11 + i));
      const y = op(...xs);
      const r = seeded(y.shape, 7);
      if (!withGrads) return [y];
      return [y, ...tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(op(...args), r)))(xs)];
    });
    const arrays = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return arrays;
  });
}

/** The native backend agrees with the cpu backend (itself tested against naive references) within 1e-4 relative. */
async function expectMatchesCpu(op: Op, shapes: number[][], withGrads = true): Promise<void> {
  const expected = await valueAndGrads('cpu', op, shapes, withGrads);
  const actual = await valueAndGrads('native', op, shapes, withGrads);
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expectArraysClose(a, expected[i], 1e-4, 1e-5));
}

describeIf(nativeUnavailableReason(), 'native kernels match the cpu backend', () => {
  afterAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it.each([
    ['stride 2, explicit pads', [2, 9, 8, 5], [3, 3, 5, 6], 2, [[0, 0], [1, 2], [2, 0], [0, 0]]],
    ['1x1, many channels', [1, 6, 6, 20], [1, 1, 20, 33], 1, 'same'],
    ['5x5 valid stride 3', [2, 11, 10, 3], [5, 5, 3, 4], 3, 'valid'],
  ] as const)('conv2d %s: value and gradients', async (_, xShape, wShape, stride, pad) => {
    await expectMatchesCpu((x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad as 'same'), [[...xShape], [...wShape]]);
  });

  it.each([
    ['multiplier 2, stride 2', [2, 9, 9, 4], [3, 3, 4, 2], 2, 1],
    ['dilation 2', [1, 10, 9, 3], [3, 3, 3, 1], 1, 2],
  ] as const)('depthwiseConv2d %s: value and gradients', async (_, xShape, wShape, stride, dilation) => {
    await expectMatchesCpu((x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, 'same', 'NHWC', dilation), [[...xShape], [...wShape]]);
  });

  it.each([
    ['plain', [3, 5], [5, 4], false, false],
    ['transposed a', [5, 3], [5, 4], true, false],
    ['transposed b', [3, 5], [4, 5], false, true],
    ['batched, both transposed', [2, 5, 3], [2, 4, 5], true, true],
  ] as const)('matMul %s: value and gradients', async (_, aShape, bShape, ta, tb) => {
    await expectMatchesCpu((a, b) => tf.matMul(a, b, ta, tb), [[...aShape], [...bShape]]);
  });

  // tfjs's BatchMatMul gradient does not reduce over a broadcast batch, on any backend: value only.
  it('matMul with a broadcast batch: value', async () => {
    await expectMatchesCpu((a, b) => tf.matMul(a, b), [[1, 3, 5], [4, 5, 6]], false);
  });

  it.each([
    ['upsampling', false, false],
    ['align corners', true, false],
  ] as const)('resizeBilinear %s: value and gradient', async (_, alignCorners, halfPixel) => {
    await expectMatchesCpu((x) => tf.image.resizeBilinear(x as tf.Tensor4D, [11, 11], alignCorners, halfPixel), [[2, 5, 5, 3]]);
  });

  it.each([
    ['half-pixel centres, not square', [11, 7], false, true],
    ['downsampling', [3, 2], false, false],
  ] as const)('resizeBilinear %s: value', async (_, size, alignCorners, halfPixel) => {
    await expectMatchesCpu((x) => tf.image.resizeBilinear(x as tf.Tensor4D, [...size], alignCorners, halfPixel), [[2, 4, 6, 3]], false);
  });

  it('softmax: value and gradient', async () => {
    await expectMatchesCpu((x) => tf.softmax(tf.mul(x, 5)), [[3, 4, 7]]);
  });

  it.each(['relu', 'relu6', 'exp', 'neg', 'square', 'abs', 'sigmoid', 'tanh'] as const)('%s: value and gradient', async (name) => {
    await expectMatchesCpu((x) => tf[name](tf.mul(x, 7)), [[4, 5, 6]]);
  });

  it.each(['log', 'sqrt', 'rsqrt'] as const)('%s of positive values: value and gradient', async (name) => {
    await expectMatchesCpu((x) => tf[name](tf.add(tf.abs(x), 0.5)), [[4, 5, 6]]);
  });

  it('relu gradient, NaN, infinities and signed zeros in x and dy: dy * step(x) bit for bit, from the kept output', async () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 3, -3];
    const inputs = () => [tf.tensor1d(special.flatMap((v) => special.map(() => v))), tf.tensor1d(special.flatMap(() => special))];
    const run = async (backend: string) => {
      await initEngine({ backend, verbose: false });
      return expectNoLeak(() => tf.tidy(() => {
        const [x, dy] = inputs();
        return Array.from(tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy).dataSync());
      }));
    };
    // tfjs's own ReLU gradient, written out: Step of the input, times dy
    await initEngine({ backend: 'cpu', verbose: false });
    const stock = tf.tidy(() => {
      const [x, dy] = inputs();
      return Array.from(tf.mul(dy, tf.step(x)).dataSync());
    });
    expect(stock.filter(Number.isNaN).length).toBeGreaterThan(special.length); // NaN x, and 0 * infinity
    for (const backend of ['cpu', 'wasm', 'native']) expect({ backend, grad: await run(backend) }).toEqual({ backend, grad: stock });
  });

  it('relu keeps its output for the backward pass, not its input', async () => {
    await initEngine({ backend: 'native', verbose: false });
    // Inside the gradient's forward pass: after relu(-x), -x (Neg keeps nothing for its own
    // gradient) is released at once when only the output is kept; keeping the input would hold it.
    const live = await expectNoLeak(() => tf.tidy(() => {
      let during = 0;
      tf.grad((v: tf.Tensor) => {
        const before = tf.memory().numDataBuffers;
        const y = tf.tidy(() => tf.relu(tf.neg(v)));
        during = tf.memory().numDataBuffers - before;
        return tf.sum(y);
      })(seeded([3, 50], 1));
      return during;
    }));
    // y's buffer only (the tape's handle on y is a clone sharing it); the input kept would be a second
    expect(live).toBe(1);
  });

  it('relu backward is one kernel on native, with no Step', async () => {
    await initEngine({ backend: 'native', verbose: false });
    const info = await tf.profile(() => tf.tidy(() => {
      tf.grad((v: tf.Tensor) => tf.sum(tf.relu(v)))(seeded([3, 50], 1));
    }));
    expect(info.kernelNames).toContain('SssegReluGrad');
    expect(info.kernelNames).not.toContain('Step');
  });

  it('step: value, with and without alpha', async () => {
    await expectMatchesCpu((x) => tf.add(tf.step(x), tf.step(x, 0.25)), [[3, 8]], false);
  });

  it('step and exp keep NaN and infinities as the cpu backend does', async () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 90, -90];
    const run = async (backend: string) => {
      await initEngine({ backend, verbose: false });
      return expectNoLeak(() => tf.tidy(() => {
        const x = tf.tensor1d(special);
        return [tf.step(x, 0.5), tf.exp(x)].map((t) => Array.from(t.dataSync()));
      }));
    };
    expect(await run('native')).toEqual(await run('cpu'));
  });

  it.each([
    ['same shape', [2, 3, 4], [2, 3, 4]],
    ['trailing broadcast', [2, 3, 4], [3, 1]],
    ['scalar', [2, 3, 4], []],
    ['both broadcast', [2, 1, 4], [1, 3, 1]],
    ['row broadcast over collapsed axes', [2, 3, 4, 5], [2, 3, 4, 1]],
    ['outer broadcast', [6, 5], [5]],
    ['same shape, long enough to run in chunks', [40, 1000], [40, 1000]],
  ] as const)('binary ops, %s: value and gradients', async (_, aShape, bShape) => {
    const ops: Op[] = [tf.add, tf.sub, tf.mul, (a, b) => tf.div(a, tf.add(tf.abs(b), 0.5))];
    for (const op of ops) await expectMatchesCpu(op, [[...aShape], [...bShape]]);
    // tfjs's Maximum, Minimum and SquaredDifference gradients do not reduce over broadcast axes, on any backend.
    const sameShape = aShape.join() === bShape.join();
    for (const op of [tf.maximum, tf.minimum, tf.squaredDifference]) await expectMatchesCpu(op, [[...aShape], [...bShape]], sameShape);
  });

  it.each([
    ['all axes', undefined, false],
    ['inner axis', -1, false],
    ['outer axes, kept', [0, 1], true],
    ['middle axis', 1, false],
  ] as const)('reductions over %s: value and gradients', async (_, axis, keepDims) => {
    const ax = axis as number | number[] | undefined;
    const ops: Op[] = [(x) => tf.sum(x, ax, keepDims), (x) => tf.mean(x, ax, keepDims), (x) => tf.max(x, ax, keepDims), (x) => tf.min(x, ax, keepDims)];
    for (const op of ops) await expectMatchesCpu(op, [[3, 4, 5]]);
  });

  it.each([
    ['two trailing axes of four', [2, 3, 4, 5], [2, 3]],
    ['leading axes, size-1 axis between', [3, 1, 4, 6], [0, 1]],
    ['the rows of a large matrix', [40, 1000], [1]],
    ['the columns of a large matrix', [1000, 40], [0]],
  ] as const)('reductions over %s: value and gradients', async (_, shape, axes) => {
    const ax = [...axes];
    const ops: Op[] = [(x) => tf.sum(x, ax), (x) => tf.mean(x, ax), (x) => tf.max(x, ax), (x) => tf.min(x, ax)];
    for (const op of ops) await expectMatchesCpu(op, [[...shape]]);
  });

  it('max and min over rows with NaN give NaN, as on the cpu backend', async () => {
    const run = async (backend: string) => {
      await initEngine({ backend, verbose: false });
      return expectNoLeak(() => tf.tidy(() => {
        const x = tf.tensor2d([1, NaN, 3, 4, 5, 6, NaN, 0, -1], [3, 3]);
        return [tf.max(x, 1), tf.min(x, 1), tf.sum(x, 0)].map((t) => Array.from(t.dataSync()));
      }));
    };
    expect(await run('native')).toEqual(await run('cpu'));
  });

  it.each([
    ['slice', (x: tf.Tensor) => tf.slice(x, [1, 0, 2], [2, -1, 3])],
    ['tile', (x: tf.Tensor) => tf.tile(x, [2, 1, 3])],
    ['split along the middle axis', (x: tf.Tensor) => tf.concat(tf.split(x, [1, 3], 1).map((p, i) => tf.mul(p, i + 1)), 1)],
  ] as const)('%s: value and gradient', async (_, op) => {
    await expectMatchesCpu(op, [[3, 4, 5]]);
  });

  it.each([
    ['the first axis', 0, [[2, 3, 5], [1, 3, 5], [4, 3, 5]]],
    ['a middle axis', 1, [[2, 3, 5], [2, 1, 5], [2, 4, 5]]],
    ['the last axis (NHWC channels), short rows', -1, [[2, 3, 5], [2, 3, 1], [2, 3, 7]]],
    ['the last axis, rows long enough to copy whole', -1, [[2, 70], [2, 90]]],
    ['the last axis, a skip connection large enough to split across threads', -1, [[4, 32, 32, 16], [4, 32, 32, 8]]],
  ] as const)('concat along %s: value and gradients', async (_, axis, shapes) => {
    await expectMatchesCpu((...xs) => tf.concat(xs, axis), shapes.map((s) => [...s]));
  });

  it.each([
    ['NHWC to NCHW', [2, 3, 4, 5], [0, 3, 1, 2]],
    ['a matrix', [7, 9], [1, 0]],
    ['reversed axes', [3, 4, 5], [2, 1, 0]],
  ] as const)('transpose, %s: value and gradient', async (_, shape, perm) => {
    await expectMatchesCpu((x) => tf.transpose(x, [...perm]), [[...shape]]);
  });

  it('oneHot (float32 and int32, indices out of range left off) and zerosLike: values and dtypes as on the cpu backend', async () => {
    const run = async (backend: string) => {
      await initEngine({ backend, verbose: false });
      return expectNoLeak(() => tf.tidy(() => {
        const indices = tf.tensor2d([0, 3, -1, 2, 5, 1], [2, 3], 'int32');
        const outs = [tf.oneHot(indices, 4, 2, -1, 'float32'), tf.oneHot(indices, 4), tf.zerosLike(tf.mul(tf.ones([3, 5]), 4))];
        return outs.map((t) => ({ dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync()) }));
      }));
    };
    const cpu = await run('cpu');
    expect(cpu[0].values.slice(0, 8)).toEqual([2, -1, -1, -1, -1, -1, -1, 2]);
    expect(await run('native')).toEqual(cpu);
  });

  it.each([
    ['3x3 stride 2 same', 3, 2, 'same'],
    ['2x2 stride 2 valid', 2, 2, 'valid'],
  ] as const)('maxPool %s: value and gradient', async (_, size, stride, pad) => {
    // ReLU first: windows of equal zeros exercise the first-largest rule.
    await expectMatchesCpu((x) => tf.maxPool(tf.relu(x) as tf.Tensor4D, size, stride, pad), [[2, 9, 8, 3]]);
  });

  it('maxPool ignores NaN inputs as the cpu kernel does (-inf for a window of only NaN)', async () => {
    const run = async (backend: string) => {
      await initEngine({ backend, verbose: false });
      return expectNoLeak(() => tf.tidy(() => {
        const x = tf.tensor4d([NaN, NaN, 1, NaN, NaN, NaN, 2, 3, NaN, -5, NaN, NaN], [1, 2, 3, 2]);
        return Array.from(tf.maxPool(x, [2, 1], [1, 1], 'valid').dataSync());
      }));
    };
    const cpu = await run('cpu');
    expect(cpu).toContain(-Infinity);
    expect(await run('native')).toEqual(cpu);
  });

  // tfjs's FusedBatchNorm gradient fails without a scale or with parameters not per channel, on any backend: value only there.
  it.each([
    ['per-channel parameters: value and gradients', [2, 5, 4, 6], [6], true],
    ['scalar mean and variance, no offset or scale: value', [3, 7], [1], false],
    ['parameters the cpu kernel reads modulo their length (cpu fallback): value', [2, 3, 4], [1, 3, 1], true],
  ] as const)('batchNorm, %s', async (_, xShape, pShape, withAffine) => {
    const positive = (v: tf.Tensor) => tf.add(tf.abs(v), 0.5);
    const op: Op = withAffine
      ? (x, m, v, o, s) => tf.batchNorm(x, m, positive(v), o, s, 0.01)
      : (x, m, v) => tf.batchNorm(x, m, positive(v), undefined, undefined, 0.01);
    const shapes = [[...xShape], ...Array.from({ length: withAffine ? 4 : 2 }, () => [...pShape])];
    await expectMatchesCpu(op, shapes, withAffine && pShape.length === 1);
  });

  it('int32 tensors take the cpu kernels', async () => {
    await initEngine({ backend: 'native', verbose: false });
    await expectNoLeak(() => {
      const y = tf.tidy(() => tf.sum(tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.scalar(2, 'int32'))));
      expect(y.dtype).toBe('int32');
      expect(y.dataSync()[0]).toBe(12);
      y.dispose();
    });
  });
});

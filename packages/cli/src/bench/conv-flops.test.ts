import { tf } from '@ssseg/engine';
import { convCallFlops, convFlopsOf, gflopsPerSecond } from './conv-flops';

describe('convolution FLOPs', () => {
  it('counts each convolution kernel from its shapes, 2 per multiply-add, and nothing else', () => {
    // forward 3x3, 3 -> 4 channels, output 2 x 6 x 6: 2 * (2 * 6 * 6 * 4) * (3 * 3 * 3) = 15 552
    expect(convCallFlops({ name: 'Conv2D', inputShapes: [[2, 6, 6, 3], [3, 3, 3, 4]], outputShapes: [[2, 6, 6, 4]] })).toBe(15_552);
    expect(convCallFlops({ name: 'FusedConv2D', inputShapes: [[2, 6, 6, 3], [3, 3, 3, 4], [4], null], outputShapes: [[2, 6, 6, 4]] })).toBe(15_552);
    // its gradients, from dy [2, 6, 6, 4]: as many each
    expect(convCallFlops({ name: 'Conv2DBackpropInput', inputShapes: [[2, 6, 6, 4], [3, 3, 3, 4]], outputShapes: [[2, 6, 6, 3]] })).toBe(15_552);
    expect(convCallFlops({ name: 'Conv2DBackpropFilter', inputShapes: [[2, 6, 6, 3], [2, 6, 6, 4]], outputShapes: [[3, 3, 3, 4]] })).toBe(15_552);
    // depthwise 3x3 on 2 channels, multiplier 2, output 1 x 5 x 5 x 4: 2 * 100 * 9 = 1 800
    expect(convCallFlops({ name: 'DepthwiseConv2dNative', inputShapes: [[1, 5, 5, 2], [3, 3, 2, 2]], outputShapes: [[1, 5, 5, 4]] })).toBe(1_800);
    expect(convCallFlops({ name: 'DepthwiseConv2dNativeBackpropInput', inputShapes: [[1, 5, 5, 4], [3, 3, 2, 2]], outputShapes: [[1, 5, 5, 2]] })).toBe(1_800);
    expect(convCallFlops({ name: 'DepthwiseConv2dNativeBackpropFilter', inputShapes: [[1, 5, 5, 2], [1, 5, 5, 4]], outputShapes: [[3, 3, 2, 2]] })).toBe(1_800);
    expect(convCallFlops({ name: 'BatchMatMul', inputShapes: [[1, 64, 64], [1, 64, 64]], outputShapes: [[1, 64, 64]] })).toBe(0);
  });

  it('sums the conv calls tfjs makes for a forward and backward pass (the input gradient only where one is asked for); no leak', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([2, 6, 6, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const dw = tf.randomNormal([3, 3, 2, 2]) as tf.Tensor4D;
    const xd = tf.randomNormal([1, 5, 5, 2]) as tf.Tensor4D;
    // the work under tidy, returning nothing so that it frees all it made
    const tidied = (f: () => unknown) => () => tf.tidy(() => {
      f();
    });
    // forward only, stride 2: output 2 x 3 x 3 x 4, 2 * 72 * 27 = 3 888
    expect(await convFlopsOf(tidied(() => tf.conv2d(x, w, 2, 'same')))).toBe(3_888);
    // forward and both gradients: 3 x 15 552
    expect(await convFlopsOf(tidied(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([x, w])))).toBe(46_656);
    // forward and the filter's gradient alone: 2 x 15 552
    expect(await convFlopsOf(tidied(() => tf.grad((b: tf.Tensor) => tf.conv2d(x, b as tf.Tensor4D, 1, 'same'))(w)))).toBe(31_104);
    // depthwise, forward and both gradients: 3 x 1 800
    expect(await convFlopsOf(tidied(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))([xd, dw])))).toBe(5_400);
    // other kernels count nothing
    expect(await convFlopsOf(tidied(() => tf.matMul(tf.ones([8, 8]), tf.ones([8, 8]))))).toBe(0);
    tf.dispose([x, w, dw, xd]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('GFLOP/s: FLOPs per millisecond over 1e6', () => {
    // the peak convolution, 2 * 8 * 32 * 32 * 256 * 256 * 9 = 9 663 676 416 FLOP, in 100 ms
    expect(gflopsPerSecond(9_663_676_416, 100)).toBeCloseTo(96.63676416, 9);
    expect(gflopsPerSecond(1.5e11, 2500)).toBe(60);
  });
});

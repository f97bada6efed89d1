import { tf } from '@ssseg/engine';

/** A kernel call as tf.profile records it: input shapes in the kernel's input order, output shapes. */
export interface KernelCall {
  name: string;
  inputShapes: Array<number[] | null>;
  outputShapes: number[][];
}

const count = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

/**
 * Floating-point operations of one convolution kernel call (NHWC), 2 per multiply-add: each output
 * element of a forward convolution takes kh * kw * Cin multiply-adds (kh * kw depthwise), padding
 * taps included, so 2 * B * H * W * Cin * Cout * kh * kw for a plain one; its input gradient and its
 * filter gradient take as many each, read from dy's elements and the filter's shape. Any other
 * kernel: 0 (the count is the convolutions' alone).
 */
export function convCallFlops(call: KernelCall): number {
  const [first, second] = call.inputShapes;
  const out = call.outputShapes[0];
  switch (call.name) {
    case tf.Conv2D:
    case tf.FusedConv2D: // inputs x, filter [kh, kw, Cin, Cout]
      return 2 * count(out) * second![0] * second![1] * second![2];
    case tf.Conv2DBackpropInput: // inputs dy, filter
      return 2 * count(first!) * second![0] * second![1] * second![2];
    case tf.Conv2DBackpropFilter: // inputs x, dy; output the filter's gradient
      return 2 * count(second!) * out[0] * out[1] * out[2];
    case tf.DepthwiseConv2dNative: // filter [kh, kw, Cin, multiplier]
      return 2 * count(out) * second![0] * second![1];
    case tf.DepthwiseConv2dNativeBackpropInput:
      return 2 * count(first!) * second![0] * second![1];
    case tf.DepthwiseConv2dNativeBackpropFilter:
      return 2 * count(second!) * out[0] * out[1];
    default:
      return 0;
  }
}

/** Runs `fn` under tf.profile and sums the FLOPs of the convolution kernels it ran (forward and backward). */
export async function convFlopsOf(fn: () => void): Promise<number> {
  const info = await tf.profile(() => {
    fn();
    return [] as tf.Tensor[];
  });
  return info.kernels.reduce((sum, k) => sum + convCallFlops(k), 0);
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export const gflopsPerSecond = (flops: number, ms: number): number => flops / ms / 1e6;

import { tf } from '../tf';
import { computeFloat32 } from './float32-io';

/**
 * Element-wise a (op) b for float32 operands of different shapes, walking the output in order
 * with per-axis strides (0 on broadcast axes) instead of tfjs-backend-cpu's per-element index
 * arrays (~20x slower; softmax cross entropy's [N, H, W, C] - [N, H, W, 1] is the common case).
 */
export function broadcastBinaryLoops(
  a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], outShape: number[], out: Float32Array,
  op: (x: number, y: number) => number,
): void {
  const rank = outShape.length;
  const stridesOf = (shape: number[]) => {
    const strides = new Array<number>(rank).fill(0);
    let s = 1;
    for (let i = shape.length - 1, d = rank - 1; i >= 0; i--, d--) {
      strides[d] = shape[i] === 1 ? 0 : s;
      s *= shape[i];
    }
    return strides;
  };
  const aStrides = stridesOf(aShape), bStrides = stridesOf(bShape);
  const inner = outShape[rank - 1] ?? 1;
  const aInner = aStrides[rank - 1] ?? 0, bInner = bStrides[rank - 1] ?? 0;
  const index = new Array<number>(rank).fill(0);
  let aOff = 0, bOff = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0, ai = aOff, bi = bOff; j < inner; j++, ai += aInner, bi += bInner) out[o + j] = op(a[ai], b[bi]);
    // Advance the odometer over the outer axes.
    for (let d = rank - 2; d >= 0; d--) {
      aOff += aStrides[d];
      bOff += bStrides[d];
      if (++index[d] < outShape[d]) break;
      aOff -= aStrides[d] * outShape[d];
      bOff -= bStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
}

/** Wraps a stock cpu binary kernel: broadcasting float32 calls take broadcastBinaryLoops, the rest the stock kernel. */
export function makeBroadcastBinaryCpuConfig(kernelName: string, op: (x: number, y: number) => number): tf.KernelConfig {
  const stock = tf.getKernel(kernelName, 'cpu');
  return {
    kernelName,
    backendName: 'cpu',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const sameShape = tf.util.arraysEqual(a.shape, b.shape);
      if (!stock) throw new Error(`${kernelName} (cpu): the stock kernel is not registered`);
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || sameShape || a.shape.length === 0 || b.shape.length === 0) {
        return stock.kernelFunc(args);
      }
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return computeFloat32(kernelName, args.backend as tf.KernelBackend, [a, b], outShape, ([av, bv], out) =>
        broadcastBinaryLoops(av, a.shape, bv, b.shape, outShape, out, op),
      );
    },
  };
}

export const broadcastBinaryCpuConfigs = (): tf.KernelConfig[] => [
  makeBroadcastBinaryCpuConfig(tf.Add, (x, y) => x + y),
  makeBroadcastBinaryCpuConfig(tf.Sub, (x, y) => x - y),
  makeBroadcastBinaryCpuConfig(tf.Multiply, (x, y) => x * y),
  makeBroadcastBinaryCpuConfig(tf.RealDiv, (x, y) => x / y),
];

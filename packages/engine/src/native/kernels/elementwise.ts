import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel } from './native-kernel';
import { RELU_GRAD } from '../../fused/kernel-names';

// Op codes of native/elementwise.cc.
const UNARY: Record<string, number> = {
  [tf.Relu]: 0, [tf.Relu6]: 1, [tf.Exp]: 2, [tf.Log]: 3, [tf.Neg]: 4, [tf.Sqrt]: 5, [tf.Rsqrt]: 6,
  [tf.Square]: 7, [tf.Abs]: 8, [tf.Sigmoid]: 9, [tf.Tanh]: 10, [tf.Step]: 11,
};
const BINARY: Record<string, number> = {
  [tf.Add]: 0, [tf.Sub]: 1, [tf.Multiply]: 2, [tf.RealDiv]: 3, [tf.Maximum]: 4, [tf.Minimum]: 5, [tf.SquaredDifference]: 6,
  [RELU_GRAD]: 7, // a: dy, b: x
};
const REDUCE: Record<string, number> = { [tf.Sum]: 0, [tf.Mean]: 1, [tf.Max]: 2, [tf.Min]: 3 };

function unaryKernel(kernelName: string): tf.KernelConfig {
  return nativeKernel(kernelName, ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const xv = floatValues(backend, x);
    if (!xv) return undefined;
    const alpha = kernelName === tf.Step ? ((attrs as { alpha?: number }).alpha ?? 0) : 0;
    return makeOutput(backend, x.shape, (out) => addon.unary(UNARY[kernelName], xv, out, alpha));
  });
}

/** Strides of `shape` aligned right against an output of rank `rank`, 0 on broadcast (size-1 or missing) axes. */
function broadcastStrides(shape: number[], rank: number): number[] {
  const strides = new Array<number>(rank).fill(0);
  for (let i = shape.length - 1, d = rank - 1, s = 1; i >= 0; i--, d--) {
    strides[d] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

function binaryKernel(kernelName: string): tf.KernelConfig {
  return nativeKernel(kernelName, ({ inputs, backend, addon }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const av = floatValues(backend, a), bv = floatValues(backend, b);
    if (!av || !bv) return undefined;
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const rank = outShape.length;
    const layout = Int32Array.from([rank, ...outShape, ...broadcastStrides(a.shape, rank), ...broadcastStrides(b.shape, rank)]);
    return makeOutput(backend, outShape, (out) => addon.binary(BINARY[kernelName], av, bv, out, layout));
  });
}

function reduceKernel(kernelName: string): tf.KernelConfig {
  return nativeKernel(kernelName, ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { keepDims } = attrs as { keepDims?: boolean };
    const axisAttr = (kernelName === tf.Max ? attrs.reductionIndices : attrs.axis) as number | number[];
    const xv = floatValues(backend, x);
    if (!xv || x.shape.length === 0) return undefined;
    const axes = tf.util.parseAxisParam(axisAttr, x.shape);
    const rank = x.shape.length;
    const reduced = x.shape.map((_, d) => (axes.includes(d) ? 1 : 0));
    const outShape = x.shape.flatMap((n, d) => (reduced[d] ? (keepDims ? [1] : []) : [n]));
    const layout = Int32Array.from([rank, ...x.shape, ...reduced]);
    return makeOutput(backend, outShape, (out) => addon.reduce(REDUCE[kernelName], xv, out, layout));
  });
}

/** Unary maps, broadcasting binary maps and reductions over float32 tensors (other dtypes take the cpu kernels). */
export const nativeElementwiseKernels = (): tf.KernelConfig[] => [
  ...Object.keys(UNARY).map(unaryKernel),
  ...Object.keys(BINARY).map(binaryKernel),
  ...Object.keys(REDUCE).map(reduceKernel),
];

import { tf } from '../../tf';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon, type NativeAddon } from '../addon';
import { floatValues, makeOutput } from '../tensor-io';
import { NATIVE_BACKEND, nativeKernel } from './native-kernel';

/** out[i] = x[(begin + i) mod x.shape] per axis, on the addon. */
function gather(backend: MathBackendCPU, addon: NativeAddon, xv: Float32Array, x: tf.TensorInfo, outShape: number[], begin: number[]): tf.TensorInfo {
  const layout = Int32Array.from([x.shape.length, ...outShape, ...x.shape, ...begin]);
  return makeOutput(backend, outShape, (out) => addon.gather(xv, out, layout));
}

const takes = (x: tf.TensorInfo, outShape: number[]) => x.shape.length > 0 && tf.util.sizeFromShape(outShape) > 0;

/** Slice, Tile and SplitV as strided copies (the cpu kernels walk element by element). */
export const nativeGatherKernels = (): tf.KernelConfig[] => [
  nativeKernel(tf.Slice, ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { begin, size } = attrs as unknown as { begin: number | number[]; size: number | number[] };
    const xv = floatValues(backend, x);
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    if (!xv || !takes(x, s)) return undefined;
    return gather(backend, addon, xv, x, s, b);
  }),
  nativeKernel(tf.Tile, ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { reps } = attrs as unknown as { reps: number[] };
    const xv = floatValues(backend, x);
    const outShape = x.shape.map((n, d) => n * reps[d]);
    if (!xv || !takes(x, outShape)) return undefined;
    return gather(backend, addon, xv, x, outShape, x.shape.map(() => 0));
  }),
  {
    // SplitV returns several tensors, so it is wired by hand rather than through nativeKernel.
    kernelName: tf.SplitV,
    backendName: NATIVE_BACKEND,
    kernelFunc: (args) => {
      const backend = args.backend as unknown as MathBackendCPU;
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
      const xv = floatValues(backend, x);
      const fallback = () => tf.getKernel(tf.SplitV, 'cpu')!.kernelFunc(args);
      if (!xv || !takes(x, x.shape)) return fallback();
      const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
      const addon = loadNativeAddon();
      let start = 0;
      return sizes.map((s) => {
        const outShape = [...x.shape];
        outShape[$axis] = s;
        const begin = x.shape.map((_, d) => (d === $axis ? start : 0));
        start += s;
        if (s === 0) return backend.makeTensorInfo(outShape, 'float32', new Float32Array(0));
        return gather(backend, addon, xv, x, outShape, begin);
      });
    },
  },
];

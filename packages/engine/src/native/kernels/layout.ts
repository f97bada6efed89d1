import { tf } from '../../tf';
import { transposeStrided } from '../../kernels/gather-transpose-cpu';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel } from './native-kernel';

// Kernels that only move or place values, into the native backend's recycled buffers: the cpu
// backend's versions make each output a fresh ArrayBuffer that only V8's garbage collector frees
// (a U-Net's skip concatenations alone made ~80 MiB of them per training step, and that external
// memory set off most of the full collections). Concat copies on the addon, across the pool: as a
// JavaScript loop over rows of a few channels it was 10-13 % of a U-Net step, on one thread.

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export const nativeLayoutKernels = (): tf.KernelConfig[] => [
  nativeKernel(tf.Concat, ({ inputs, attrs, backend, addon }) => {
    const xs = Object.values(inputs) as tf.TensorInfo[];
    const values = xs.map((x) => floatValues(backend, x));
    if (xs.length === 0 || values.some((v) => v === undefined)) return undefined;
    const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, xs[0].shape)[0];
    const shapes = xs.map((x) => x.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    if (product(outShape) === 0) return undefined;
    const outer = product(outShape.slice(0, axis));
    const inners = Int32Array.from(xs, (x) => product(x.shape.slice(axis)));
    return makeOutput(backend, outShape, (out) => addon.concat(values as Float32Array[], inners, out, outer));
  }),
  nativeKernel(tf.Transpose, ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { perm } = attrs as unknown as tf.TransposeAttrs;
    const xv = floatValues(backend, x);
    if (!xv || x.shape.length === 0 || xv.length === 0) return undefined;
    return makeOutput(backend, perm.map((p) => x.shape[p]), (out) => transposeStrided(xv, x.shape, perm, out));
  }),
  nativeKernel(tf.OneHot, ({ inputs, attrs, backend }) => {
    const { indices } = inputs as { indices: tf.TensorInfo };
    const { dtype, depth, onValue, offValue } = attrs as unknown as tf.OneHotAttrs;
    const idx = backend.data.get(indices.dataId).values;
    if (!(dtype === 'float32' || dtype === 'int32') || !(idx instanceof Int32Array || idx instanceof Float32Array) || idx.length * depth === 0) return undefined;
    return makeOutput(backend, [...indices.shape, depth], (out) => {
      out.fill(offValue);
      for (let i = 0; i < idx.length; i++) if (idx[i] >= 0 && idx[i] < depth) out[i * depth + idx[i]] = onValue;
    }, dtype);
  }),
  nativeKernel(tf.ZerosLike, ({ inputs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || tf.util.sizeFromShape(x.shape) === 0) return undefined;
    return makeOutput(backend, x.shape, (out) => out.fill(0));
  }),
];

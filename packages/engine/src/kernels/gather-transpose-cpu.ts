import { tf } from '../tf';
import { cpuKernelWithStockFallback, product, typedValues, type ArrayCtor, type Values } from './cpu-values';

// tfjs-backend-cpu's GatherV2 and Transpose compute each element's source through per-element
// index arrays: in IPixMatch's KL form at 64x64 they took ~45 % of a native step (gathering kept
// pixels, transposing [M, C] blocks). These walk the output in order with strides instead. They
// serve the cpu backend and, through it, native.

/** x gathered along `axis` at `indices` (each in range): blocks of the axes after it copied whole. */
export function gatherRows(values: Values, shape: number[], axis: number, indices: ArrayLike<number>): Values {
  const outer = product(shape.slice(0, axis));
  const inner = product(shape.slice(axis + 1));
  const rowLength = shape[axis] * inner;
  const out = new (values.constructor as ArrayCtor)(outer * indices.length * inner);
  for (let o = 0, k = 0; o < outer; o++) {
    for (let i = 0; i < indices.length; i++, k += inner) {
      const from = o * rowLength + indices[i] * inner;
      out.set(values.subarray(from, from + inner), k);
    }
  }
  return out;
}

/** x with its axes permuted: out axis d is x's axis perm[d]; written into `out` when given. */
export function transposeStrided(values: Values, shape: number[], perm: number[], out: Values = new (values.constructor as ArrayCtor)(values.length)): Values {
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    inStrides[d] = s;
    s *= shape[d];
  }
  const outShape = perm.map((p) => shape[p]);
  const strides = perm.map((p) => inStrides[p]); // input step per output axis
  const last = rank - 1;
  const inner = outShape[last], innerStride = strides[last];
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0, f = from; j < inner; j++, f += innerStride) out[o + j] = values[f];
    for (let d = last - 1; d >= 0; d--) {
      from += strides[d];
      if (++index[d] < outShape[d]) break;
      from -= strides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}

export const gatherV2CpuConfig = (): tf.KernelConfig =>
  cpuKernelWithStockFallback(tf.GatherV2, ({ inputs, attrs, backend }) => {
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
    const values = typedValues(backend, x);
    const idx = backend.data.get(indices.dataId).values as ArrayLike<number>;
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
    // batchDims and out-of-range indices (which the stock kernel reports) stay with the stock kernel.
    if (!values || batchDims || x.shape.length === 0 || !(idx instanceof Int32Array || idx instanceof Float32Array)) return undefined;
    for (let i = 0; i < idx.length; i++) if (!(idx[i] >= 0 && idx[i] < x.shape[$axis])) return undefined;
    const outShape = [...x.shape.slice(0, $axis), ...indices.shape, ...x.shape.slice($axis + 1)];
    return backend.makeTensorInfo(outShape, x.dtype, gatherRows(values, x.shape, $axis, idx));
  });

export const transposeCpuConfig = (): tf.KernelConfig =>
  cpuKernelWithStockFallback(tf.Transpose, ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { perm } = attrs as unknown as tf.TransposeAttrs;
    const values = typedValues(backend, x);
    if (!values || x.shape.length === 0 || values.length === 0) return undefined;
    return backend.makeTensorInfo(perm.map((p) => x.shape[p]), x.dtype, transposeStrided(values, x.shape, perm));
  });

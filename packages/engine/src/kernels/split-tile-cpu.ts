import { tf } from '../tf';
import { cpuKernelWithStockFallback, product, typedValues, type ArrayCtor, type Values } from './cpu-values';

// tfjs-backend-cpu's SplitV and Tile compute every output element's source index with per-element
// index arrays: splitting a U-Net's channel concat ([8, 64, 64, 32] along the channels) took ~1.4 s
// per call. These copy contiguous runs instead. They serve the cpu backend and, through it, native.

/** Pieces of `values` (shape `shape`) along `axis` with the given sizes, each a contiguous copy per outer index. */
export function splitRuns(values: Values, shape: number[], axis: number, sizes: number[]): Values[] {
  const outer = product(shape.slice(0, axis));
  const inner = product(shape.slice(axis + 1));
  const rowLength = shape[axis] * inner;
  const Ctor = values.constructor as ArrayCtor;
  let begin = 0;
  return sizes.map((size) => {
    const run = size * inner;
    const out = new Ctor(outer * run);
    for (let o = 0; o < outer; o++) out.set(values.subarray(o * rowLength + begin, o * rowLength + begin + run), o * run);
    begin += run;
    return out;
  });
}

/** `values` (shape `shape`) repeated `reps[d]` times along each axis d. */
export function tileRuns(values: Values, shape: number[], reps: number[]): Values {
  const Ctor = values.constructor as ArrayCtor;
  // Innermost axis first: when axis d is reached, the axes after it are already tiled, so tiling
  // d repeats each whole row of d (its elements with their tiled inner axes) reps[d] times.
  let current: Values = values;
  let innerTiled = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const outerCount = product(shape.slice(0, d));
    const row = shape[d] * innerTiled;
    const next = new Ctor(outerCount * row * reps[d]);
    for (let o = 0; o < outerCount; o++) {
      const source = current.subarray(o * row, (o + 1) * row);
      for (let r = 0; r < reps[d]; r++) next.set(source, (o * reps[d] + r) * row);
    }
    current = next;
    innerTiled = row * reps[d];
  }
  return current;
}

export const splitVCpuConfig = (): tf.KernelConfig =>
  cpuKernelWithStockFallback(tf.SplitV, ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { numOrSizeSplits, axis } = attrs as unknown as tf.SplitVAttrs;
    const values = typedValues(backend, x);
    if (!values) return undefined;
    const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
    return splitRuns(values, x.shape, $axis, sizes).map((piece, i) => {
      const shape = x.shape.slice();
      shape[$axis] = sizes[i];
      return backend.makeTensorInfo(shape, x.dtype, piece);
    });
  });

export const tileCpuConfig = (): tf.KernelConfig =>
  cpuKernelWithStockFallback(tf.Tile, ({ inputs, attrs, backend }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const { reps } = attrs as unknown as tf.TileAttrs;
    const values = typedValues(backend, x);
    if (!values || x.shape.length === 0) return undefined;
    return backend.makeTensorInfo(x.shape.map((d, i) => d * reps[i]), x.dtype, tileRuns(values, x.shape, reps));
  });

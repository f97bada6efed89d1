import { tf } from '../tf';
import { isWasmBackend } from './float32_io';
import { im2colTransposed } from './conv2d_backprop_filter_loops';
import { conv2dBackpropFilterInfo, type Conv2DBackpropFilterAttrs } from './conv2d_backprop_filter_info';

/**
 * Conv2DBackpropFilter for the wasm backend, which ships none: the transposed patch matrix is built
 * in JS on the WASM heap and multiplied by dy with the backend's own (XNNPACK) BatchMatMul.
 * The untransposed product is used because the wasm BatchMatMul is ~10x slower with transposeA.
 */
export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const wasm = backend as tf.KernelBackend;
    if (!isWasmBackend(wasm)) throw new Error('Conv2DBackpropFilter (wasm) ran on a non-wasm backend');
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter: expected float32 inputs');
    const info = conv2dBackpropFilterInfo('Conv2DBackpropFilter', x.shape, attrs as unknown as Conv2DBackpropFilterAttrs);
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const m = info.batchSize * info.outHeight * info.outWidth;

    const colsT = wasm.makeOutput([k, m], 'float32');
    // Views are taken after the allocation: growing the heap detaches older views.
    im2colTransposed(wasm.typedArrayFromHeap(x) as Float32Array, info, wasm.typedArrayFromHeap(colsT) as Float32Array);

    const matMul = tf.getKernel(tf.BatchMatMul, 'wasm');
    if (!matMul) throw new Error('Conv2DBackpropFilter (wasm): the wasm BatchMatMul kernel is not registered');
    // A TensorInfo is a view (dataId, shape): BatchMatMul reshapes with its own reference counting.
    const dy2d: tf.TensorInfo = { dataId: dy.dataId, shape: [m, info.outChannels], dtype: 'float32' };
    const product = matMul.kernelFunc({
      inputs: { a: colsT, b: dy2d },
      backend: wasm,
      attrs: { transposeA: false, transposeB: false },
    }) as tf.TensorInfo;
    wasm.disposeData(colsT.dataId);
    product.shape = info.filterShape;
    return product;
  },
};

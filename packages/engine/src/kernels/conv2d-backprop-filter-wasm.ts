import { tf } from '../tf';
import { isWasmBackend } from './float32-io';
import { im2col, transpose2d } from './im2col';
import { wasmMatMul } from './wasm-matmul';
import { conv2dBackpropFilterInfo, type Conv2DBackpropFilterAttrs } from './conv2d-backprop-filter-info';

/**
 * Conv2DBackpropFilter for the wasm backend, which ships none: dW[K, CO] = cols^T[K, M] @ dy[M, CO],
 * the patch matrix built and transposed in JS on the WASM heap, the product by XNNPACK.
 * Measured alternatives: BatchMatMul with transposeA is ~10x slower; dy^T @ cols makes XNNPACK
 * repack the large cols operand as weights on every call (~2x slower).
 */
export const conv2DBackpropFilterWasmConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend: anyBackend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const backend = anyBackend as tf.KernelBackend;
    if (!isWasmBackend(backend)) throw new Error('Conv2DBackpropFilter (wasm) ran on a non-wasm backend');
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter: expected float32 inputs');
    const info = conv2dBackpropFilterInfo('Conv2DBackpropFilter', x.shape, attrs as unknown as Conv2DBackpropFilterAttrs);
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const m = info.batchSize * info.outHeight * info.outWidth;

    const cols = backend.makeOutput([m, k], 'float32');
    const colsT = backend.makeOutput([k, m], 'float32');
    // Views are taken after the allocations: growing the heap detaches older views.
    const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
    im2col(view(x), info, view(cols));
    transpose2d(view(cols), m, k, view(colsT));
    backend.disposeData(cols.dataId);
    const dW = wasmMatMul(backend, colsT, dy, k, m, info.outChannels);
    backend.disposeData(colsT.dataId);
    dW.shape = info.filterShape;
    return dW;
  },
};

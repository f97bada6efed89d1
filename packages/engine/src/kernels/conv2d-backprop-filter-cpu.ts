import { tf } from '../tf';
import { computeFloat32 } from './float32-io';
import { conv2dBackpropFilterLoops } from './conv2d-loops';
import { conv2dBackpropFilterInfo, type Conv2DBackpropFilterAttrs } from './conv2d-backprop-filter-info';

/** Replaces tfjs-backend-cpu's Conv2DBackpropFilter (TensorBuffer get/set per element: ~100x slower) and adds dilations. */
export const conv2DBackpropFilterCpuConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const info = conv2dBackpropFilterInfo('Conv2DBackpropFilter', x.shape, attrs as unknown as Conv2DBackpropFilterAttrs);
    return computeFloat32('Conv2DBackpropFilter', backend as tf.KernelBackend, [x, dy], info.filterShape, ([xv, dyv], dW) =>
      conv2dBackpropFilterLoops(xv, dyv, info, dW),
    );
  },
};

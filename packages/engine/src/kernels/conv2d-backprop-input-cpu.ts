import { tf } from '../tf';
import { computeFloat32 } from './float32-io';
import { conv2dBackpropInputLoops } from './conv2d-loops';
import { conv2dBackpropInputInfo, type Conv2DBackpropInputAttrs } from './conv2d-backprop-input-info';

/** Replaces tfjs-backend-cpu's Conv2DBackpropInput (per-element index arithmetic, ~6x slower) and adds dilations. */
export const conv2DBackpropInputCpuConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const info = conv2dBackpropInputInfo('Conv2DBackpropInput', filter.shape, attrs as unknown as Conv2DBackpropInputAttrs);
    return computeFloat32('Conv2DBackpropInput', backend as tf.KernelBackend, [dy, filter], info.inShape, ([dyv, wv], dx) =>
      conv2dBackpropInputLoops(dyv, wv, info, dx),
    );
  },
};

import { tf } from '../tf';
import { computeFloat32 } from './float32-io';
import { depthwiseBackpropInputLoops } from './depthwise-backprop-loops';
import { depthwiseInfo, type DepthwiseBackpropAttrs } from './depthwise-info';

function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { inputShape } = attrs as unknown as { inputShape: [number, number, number, number] };
  const info = depthwiseInfo(inputShape, filter.shape, attrs as unknown as DepthwiseBackpropAttrs);
  return computeFloat32(tf.DepthwiseConv2dNativeBackpropInput, backend as tf.KernelBackend, [dy, filter], inputShape, ([dyv, fv], dx) =>
    depthwiseBackpropInputLoops(dyv, fv, info, dx),
  );
}

/** wasm ships no depthwise backprop; cpu's ignores dilations, so one dilation-aware loop serves both. */
export const depthwiseConv2dNativeBackpropInputConfigs: tf.KernelConfig[] = ['cpu', 'wasm'].map((backendName) => ({
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName,
  kernelFunc: depthwiseConv2dNativeBackpropInput as tf.KernelFunc,
}));

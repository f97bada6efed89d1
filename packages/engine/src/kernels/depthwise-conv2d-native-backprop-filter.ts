import { tf } from '../tf';
import { computeFloat32 } from './float32-io';
import { depthwiseBackpropFilterLoops } from './depthwise-backprop-loops';
import { depthwiseInfo, type DepthwiseBackpropAttrs } from './depthwise-info';

function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { filterShape } = attrs as unknown as { filterShape: [number, number, number, number] };
  const info = depthwiseInfo(x.shape, filterShape, attrs as unknown as DepthwiseBackpropAttrs);
  return computeFloat32(tf.DepthwiseConv2dNativeBackpropFilter, backend as tf.KernelBackend, [x, dy], filterShape, ([xv, dyv], dW) =>
    depthwiseBackpropFilterLoops(xv, dyv, info, dW),
  );
}

/**
 * wasm ships no depthwise backprop; cpu's ignores dilations (it indexes x without them), so
 * one dilation-aware loop serves both.
 */
export const depthwiseConv2dNativeBackpropFilterConfigs: tf.KernelConfig[] = ['cpu', 'wasm'].map((backendName) => ({
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName,
  kernelFunc: depthwiseConv2dNativeBackpropFilter as tf.KernelFunc,
}));

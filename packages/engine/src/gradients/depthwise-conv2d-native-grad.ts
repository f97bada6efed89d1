import { tf } from '../tf';

interface DepthwiseConv2dNativeAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The DepthwiseConv2dNative gradient, replacing tfjs's, which refuses dilations > 1 although its
 * backprop kernels take a dilations attribute (the engine's cpu and wasm ones honour it).
 */
export const depthwiseConv2dNativeGradConfig: tf.GradConfig = {
  kernelName: tf.DepthwiseConv2dNative,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dy4 = dy as tf.Tensor4D;
    const { strides, pad, dimRoundingMode } = attrs as unknown as DepthwiseConv2dNativeAttrs;
    const dilations = (attrs as unknown as DepthwiseConv2dNativeAttrs).dilations ?? 1;
    return {
      x: () => tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy: dy4, filter }, { strides, pad, dimRoundingMode, dilations, inputShape: x.shape } as never) as tf.Tensor4D,
      filter: () => tf.engine().runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy: dy4 }, { strides, pad, dimRoundingMode, dilations, filterShape: filter.shape } as never) as tf.Tensor4D,
    };
  },
};

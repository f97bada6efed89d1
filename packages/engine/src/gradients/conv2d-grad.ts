import { tf } from '../tf';
import { dilatedConv2dBackpropFilter, dilatedConv2dBackpropInput } from './dilated-conv-backprop';

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Backends whose Conv2DBackpropInput and Conv2DBackpropFilter kernels honour a `dilations` attribute (the engine's own). */
export const dilationAwareBackprop = new Set<string>();

/**
 * The Conv2D gradient, replacing tfjs's (which throws for dilations > 1). Undilated convolutions take
 * the backend's backprop kernels as before; dilated ones take the engine's dilation-aware kernels where
 * the backend has them, and otherwise forward convolutions (dilated_conv_backprop.ts) that any backend runs.
 */
export const conv2DGradConfig: tf.GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dy4 = dy as tf.Tensor4D;
    const { strides, pad, dataFormat, dimRoundingMode, dilations } = attrs as unknown as Conv2DAttrs;
    const dilationsOrOne = dilations ?? 1;
    const dilated = !tf.backend_util.tupleValuesAreOne(dilationsOrOne);
    const inputAttrs = { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape };
    const filterAttrs = { strides, pad, dataFormat, dimRoundingMode, filterShape: filter.shape };
    const backprop = (extra: object) => ({
      x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dy4, filter }, { ...inputAttrs, ...extra } as never) as tf.Tensor4D,
      filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dy4 }, { ...filterAttrs, ...extra } as never) as tf.Tensor4D,
    });
    if (!dilated) return backprop({});
    if (dilationAwareBackprop.has(tf.getBackend())) return backprop({ dilations: dilationsOrOne });
    if (dataFormat === 'NCHW') throw new Error('gradient of a dilated conv2d: dataFormat NCHW is not supported; use NHWC');
    const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, strides, dilationsOrOne, pad, dimRoundingMode);
    return {
      x: () => dilatedConv2dBackpropInput(dy4, filter, info),
      filter: () => dilatedConv2dBackpropFilter(x, dy4, info),
    };
  },
};

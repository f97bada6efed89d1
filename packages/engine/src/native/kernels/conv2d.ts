import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel, type NativeKernelArgs } from './native-kernel';

type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

const FORWARD = 0, BACKWARD_DATA = 1, BACKWARD_WEIGHTS = 2;

/** The addon's 18 convolution attributes (see native/conv.cc); depthwise convolutions are grouped by input channel. */
function convAttrs(info: Conv2DInfo, depthwise: boolean): Int32Array {
  const p = info.padInfo;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    p.top, p.left, p.bottom, p.right, depthwise ? info.inChannels : 1,
  ]);
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs, depthwise: boolean): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, depthwise, 'channelsLast');
}

function forward(depthwise: boolean) {
  return ({ inputs, attrs, backend, addon }: NativeKernelArgs) => {
    const a = attrs as unknown as ConvAttrs;
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const xv = floatValues(backend, x), wv = floatValues(backend, filter);
    if (!xv || !wv || a.dataFormat === 'NCHW') return undefined;
    const info = convInfo(x.shape, filter.shape, a, depthwise);
    return makeOutput(backend, info.outShape, (y) => addon.conv2d(FORWARD, xv, wv, y, convAttrs(info, depthwise)));
  };
}

function backpropInput(depthwise: boolean) {
  return ({ inputs, attrs, backend, addon }: NativeKernelArgs) => {
    const a = attrs as unknown as ConvAttrs;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const dyv = floatValues(backend, dy), wv = floatValues(backend, filter);
    if (!dyv || !wv || a.dataFormat === 'NCHW' || !a.inputShape) return undefined;
    const info = convInfo(a.inputShape, filter.shape, a, depthwise);
    return makeOutput(backend, info.inShape, (dx) => addon.conv2d(BACKWARD_DATA, dyv, wv, dx, convAttrs(info, depthwise)));
  };
}

function backpropFilter(depthwise: boolean) {
  return ({ inputs, attrs, backend, addon }: NativeKernelArgs) => {
    const a = attrs as unknown as ConvAttrs;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const xv = floatValues(backend, x), dyv = floatValues(backend, dy);
    if (!xv || !dyv || a.dataFormat === 'NCHW' || !a.filterShape) return undefined;
    const info = convInfo(x.shape, a.filterShape, a, depthwise);
    return makeOutput(backend, a.filterShape, (dw) => addon.conv2d(BACKWARD_WEIGHTS, xv, dyv, dw, convAttrs(info, depthwise)));
  };
}

/** Conv2D, depthwise convolution and their backprops on oneDNN (strides, dilations, any padding; NHWC). */
export const nativeConvKernels = (): tf.KernelConfig[] => [
  nativeKernel(tf.Conv2D, forward(false)),
  nativeKernel(tf.Conv2DBackpropInput, backpropInput(false)),
  nativeKernel(tf.Conv2DBackpropFilter, backpropFilter(false)),
  nativeKernel(tf.DepthwiseConv2dNative, forward(true)),
  nativeKernel(tf.DepthwiseConv2dNativeBackpropInput, backpropInput(true)),
  nativeKernel(tf.DepthwiseConv2dNativeBackpropFilter, backpropFilter(true)),
];

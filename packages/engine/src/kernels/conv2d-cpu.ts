import { tf } from '../tf';
import { computeFloat32 } from './float32-io';
import { conv2dLoops } from './conv2d-loops';

interface Conv2DAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Replaces tfjs-backend-cpu's Conv2D for NHWC (its loop re-derives offsets per element); NCHW goes to the stock kernel. */
export function makeConv2DCpuConfig(stock: tf.KernelConfig | undefined): tf.KernelConfig {
  return {
    kernelName: tf.Conv2D,
    backendName: 'cpu',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const a = attrs as unknown as Conv2DAttrs;
      if (a.dataFormat === 'NCHW' || x.dtype !== 'float32') {
        if (!stock) throw new Error('Conv2D (cpu): only NHWC float32 is supported');
        return stock.kernelFunc(args);
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
        a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
      return computeFloat32('Conv2D', backend as tf.KernelBackend, [x, filter], info.outShape, ([xv, wv], y) => conv2dLoops(xv, wv, info, y));
    },
  };
}

import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import { nativeKernel } from './native-kernel';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The addon's pooling attributes: [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padLeft]. */
function poolAttrs(shape: number[], attrs: PoolAttrs): Int32Array {
  const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ]);
}

/** MaxPool (NHWC), NaN inputs ignored as by the cpu kernel. */
export const nativeMaxPoolKernel = (): tf.KernelConfig =>
  nativeKernel(tf.MaxPool, ({ inputs, attrs, backend, addon }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    const xv = floatValues(backend, x);
    if (!xv) return undefined;
    const p = poolAttrs(x.shape, attrs as unknown as PoolAttrs);
    return makeOutput(backend, [p[0], p[4], p[5], p[3]], (out) => addon.maxPool(xv, out, p));
  });

/** MaxPoolGrad with the cpu kernel's choice of the window's first largest input (the cpu kernel recomputes it per input pixel). */
export const nativeMaxPoolGradKernel = (): tf.KernelConfig =>
  nativeKernel(tf.MaxPoolGrad, ({ inputs, attrs, backend, addon }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const dyv = floatValues(backend, dy), xv = floatValues(backend, input);
    if (!dyv || !xv) return undefined;
    const p = poolAttrs(input.shape, attrs as unknown as PoolAttrs);
    return makeOutput(backend, input.shape, (dx) => addon.maxPoolGrad(dyv, xv, dx, p));
  });

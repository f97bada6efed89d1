import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor_io';
import { nativeKernel } from './native_kernel';

/** MaxPoolGrad with the cpu kernel's choice of the window's first largest input (the cpu kernel recomputes it per input pixel). */
export const nativeMaxPoolGradKernel = (): tf.KernelConfig =>
  nativeKernel(tf.MaxPoolGrad, ({ inputs, attrs, backend, addon }) => {
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
      filterSize: [number, number] | number; strides: [number, number] | number; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const dyv = floatValues(backend, dy), xv = floatValues(backend, input);
    if (!dyv || !xv) return undefined;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
    const p = Int32Array.from([
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
    ]);
    return makeOutput(backend, input.shape, (dx) => addon.maxPoolGrad(dyv, xv, dx, p));
  });

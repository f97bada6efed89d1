import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor_io';
import { nativeKernel } from './native_kernel';

/** Softmax over the last axis (the only axis tfjs's Softmax takes). */
export const nativeSoftmaxKernel = (): tf.KernelConfig =>
  nativeKernel(tf.Softmax, ({ inputs, attrs, backend, addon }) => {
    const { logits } = inputs as { logits: tf.TensorInfo };
    const { dim } = attrs as unknown as { dim: number };
    const xv = floatValues(backend, logits);
    const rank = logits.shape.length;
    if (!xv || rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
    return makeOutput(backend, logits.shape, (out) => addon.softmax(xv, out, logits.shape[rank - 1]));
  });

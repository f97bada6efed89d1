import { tf } from '../../tf';
import { floatValues, makeOutput } from '../tensor-io';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { loadNativeAddon } from '../addon';
import { NATIVE_BACKEND, nativeKernel } from './native-kernel';

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

/** The fused softmax cross entropy's kernel (see softmax-cross-entropy.ts): outputs [per-row loss, softmax]. */
export const SOFTMAX_CROSS_ENTROPY = 'SssegSoftmaxCrossEntropy';

export const nativeSoftmaxCrossEntropyKernel = (): tf.KernelConfig => ({
  kernelName: SOFTMAX_CROSS_ENTROPY,
  backendName: NATIVE_BACKEND,
  kernelFunc: ({ inputs, backend: b }) => {
    const backend = b as unknown as MathBackendCPU;
    const { labels, logits } = inputs as { labels: tf.TensorInfo; logits: tf.TensorInfo };
    const xv = floatValues(backend, logits), yv = floatValues(backend, labels);
    const rank = logits.shape.length;
    if (!xv || !yv || rank === 0 || labels.shape.join() !== logits.shape.join()) {
      throw new Error(`${SOFTMAX_CROSS_ENTROPY}: expected float32 labels and logits of one shape, got ${labels.dtype} [${labels.shape}] and ${logits.dtype} [${logits.shape}]`);
    }
    const k = logits.shape[rank - 1];
    const rowShape = logits.shape.slice(0, -1);
    let rowLoss: Float32Array | undefined;
    const probs = makeOutput(backend, logits.shape, (p) => {
      rowLoss = new Float32Array(tf.util.sizeFromShape(rowShape));
      loadNativeAddon().softmaxCrossEntropy(xv, yv, rowLoss, p, k);
    });
    return [backend.makeTensorInfo(rowShape, 'float32', rowLoss!), probs];
  },
});

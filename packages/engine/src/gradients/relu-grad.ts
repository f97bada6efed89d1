import { tf } from '../tf';
import { fusedAvailable } from '../fused/fused-available';
import { RELU_GRAD } from '../fused/kernel-names';

/**
 * ReLU's gradient, dy * step(y): one fused kernel where the backend has it (native), tfjs's Step
 * then Multiply elsewhere. It keeps ReLU's output rather than its input (tfjs keeps x): step(y)
 * equals step(x) for every x, NaN and signed zeros included, and the output is what the next
 * layer keeps anyway, so the input (a batch-norm's or a residual sum's output) is freed after the
 * forward pass instead of living until the backward one, as PyTorch's in-place ReLU does.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [y] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () => (fusedAvailable(RELU_GRAD, [g, y]) ? tf.engine().runKernel(RELU_GRAD, { a: g, b: y }) as tf.Tensor : tf.mul(g, tf.cast(tf.step(y), 'float32'))),
    };
  },
};

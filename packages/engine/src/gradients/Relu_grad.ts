import { tf } from '../tf';
import { fusedAvailable } from '../fused/fused_available';
import { RELU_GRAD } from '../fused/kernel_names';

/**
 * ReLU's gradient, dy * step(x): one fused kernel where the backend has it (native), tfjs's Step
 * then Multiply elsewhere. Same values, NaN included.
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () => (fusedAvailable(RELU_GRAD, [g, x]) ? tf.engine().runKernel(RELU_GRAD, { a: g, b: x }) as tf.Tensor : tf.mul(g, tf.cast(tf.step(x), 'float32'))),
    };
  },
};

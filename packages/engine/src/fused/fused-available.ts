import { tf } from '../tf';

/** Whether the current backend has the engine's fused kernel `kernelName` and every tensor is float32. */
export function fusedAvailable(kernelName: string, tensors: tf.Tensor[]): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined && tensors.every((t) => t.dtype === 'float32');
}

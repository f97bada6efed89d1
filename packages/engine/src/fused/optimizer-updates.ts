import { tf } from '../tf';
import { fusedAvailable } from './fused-available';
import { ADAM_UPDATE, SGD_UPDATE } from './kernel-names';

export interface SgdUpdateOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

/**
 * One SGD step for one parameter as a single kernel, torch.optim.SGD's arithmetic in float32:
 * d = grad + param * weightDecay; next = buffer ? buffer * momentum + d : d (torch starts the buffer
 * at the first d); param' = param - (nesterov ? d + next * momentum : next) * lr. Returns the new
 * parameter and (with momentum) the new buffer, or undefined where the backend lacks the kernel.
 */
export function fusedSgdUpdate(param: tf.Tensor, grad: tf.Tensor, buffer: tf.Tensor | undefined, options: SgdUpdateOptions): { param: tf.Tensor; buffer?: tf.Tensor } | undefined {
  if (!fusedAvailable(SGD_UPDATE, buffer ? [param, grad, buffer] : [param, grad])) return undefined;
  const inputs: tf.NamedTensorMap = buffer ? { param, grad, buffer } : { param, grad };
  const [next, nextBuffer] = tf.engine().runKernel(SGD_UPDATE, inputs, { ...options } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { param: next, buffer: nextBuffer };
}

export interface AdamUpdateOptions {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 - beta^t for the step t being taken. */
  bias1: number;
  bias2: number;
  /** Decoupled (AdamW) decay; 0 for none. */
  weightDecay: number;
}

/**
 * One Adam(W) step for one parameter as a single kernel, in the float32 order of the stock path:
 * m' = m beta1 + g (1 - beta1); v' = v beta2 + g² (1 - beta2);
 * param' = param - (m' / bias1) / (sqrt(v' / bias2) + epsilon) * lr - param * (lr weightDecay).
 * Returns [param', m', v'], or undefined where the backend lacks the kernel.
 */
export function fusedAdamUpdate(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: AdamUpdateOptions): [tf.Tensor, tf.Tensor, tf.Tensor] | undefined {
  if (!fusedAvailable(ADAM_UPDATE, [param, grad, m, v])) return undefined;
  const scalars = [o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, o.bias1, o.bias2, o.epsilon, o.lr, o.lr * o.weightDecay];
  return tf.engine().runKernel(ADAM_UPDATE, { param, grad, m, v }, { scalars }) as [tf.Tensor, tf.Tensor, tf.Tensor];
}

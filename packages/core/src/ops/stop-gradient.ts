import { tf } from '@ssseg/engine';

/**
 * Identity whose gradient is zero (tfjs has no stop_gradient). Teacher predictions pass
 * through it so no gradient reaches the teacher side.
 */
export const stopGradient: <T extends tf.Tensor>(x: T) => T = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as never) as never;

import { tf } from '../tf';

/** Mirroring is its own adjoint: the gradient of a horizontal flip is the flipped gradient. */
export const flipLeftRightGradConfig: tf.GradConfig = {
  kernelName: tf.FlipLeftRight,
  gradFunc: (dy) => ({ image: () => tf.image.flipLeftRight(dy as tf.Tensor4D) }),
};

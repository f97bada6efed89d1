import { tf } from '@ssseg/engine';

/**
 * The L2 norm of dy/dxs (over all of `xs` together), for a `y` already computed inside the
 * enclosing gradient scope (the trainer's step): backpropagates over the tape that scope records,
 * so nothing is computed forward again. The backward ops stay off that tape (they would hold their
 * intermediates until the step's own backward pass ends), and the step's gradients are unchanged.
 * Returns 0 when y does not depend on xs.
 */
export function gradientNormOnTape(y: tf.Scalar, xs: tf.Tensor[]): number {
  const engine = tf.engine();
  const state = engine.state as { gradientDepth: number; kernelDepth: number };
  if (state.gradientDepth === 0) {
    throw new Error('gradientNormOnTape: y must have been computed inside a gradient scope (tf.grad, variableGrads: the trainer step), which records how it depends on xs');
  }
  // the tape records an op only at kernel depth 0 (tfjs's isTapeOn)
  const kernelDepth = state.kernelDepth;
  state.kernelDepth = kernelDepth + 1;
  try {
    return tf.tidy(() => {
      const { grads } = engine.gradients(() => y, xs, undefined, true);
      const squares = grads.filter((g) => g != null).map((g) => g.square().sum());
      return squares.length ? Math.sqrt(tf.addN(squares).dataSync()[0]) : 0;
    });
  } finally {
    state.kernelDepth = kernelDepth;
  }
}

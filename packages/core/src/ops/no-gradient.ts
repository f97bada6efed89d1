import { tf } from '@ssseg/engine';

/**
 * Runs `fn` with the gradient tape off: its tensors are constants to any enclosing
 * `tf.grad` / `variableGrads`, like torch.no_grad(). Teacher predictions use it, which also
 * keeps their intermediates off the tape (memory) and keeps ops without gradients (argMax,
 * comparisons on pseudo-labels) out of backpropagation.
 */
export function noGradient<T>(fn: () => T): T {
  const state = tf.engine().state as { gradientDepth: number };
  const depth = state.gradientDepth;
  state.gradientDepth = 0;
  try {
    return fn();
  } finally {
    state.gradientDepth = depth;
  }
}

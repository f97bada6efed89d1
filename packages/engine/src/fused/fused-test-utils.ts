import { tf } from '../tf';
import { expectArraysClose } from '../testing';

/** A deterministic tensor of values in [-1, 1) (an LCG), different per seed. */
export function seededTensor(shape: number[], seed: number, offset = 0): tf.Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1 + offset;
  }), shape);
}

/**
 * Close within `rtol` relative to each element, with an absolute floor of `rtol` times the
 * array's largest magnitude (sums that cancel to ~0 differ in their last bits between orders),
 * and never below 1e-6 (a float32 one is 1.2e-7 away from its neighbour).
 */
export function expectCloseRelative(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  expectArraysClose(actual, expected, rtol, Math.max(rtol * scale, 1e-6));
}

import { tf, expectArraysClose } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';

/** The four forms of the term: relation x distance. */
export const FORMS = [
  ['affinity', 'kl'],
  ['affinity', 'correlation'],
  ['spatial', 'kl'],
  ['spatial', 'correlation'],
] as const;

/** Random logits; `confident[b][i]` marks pixels given a dominant class (top prob well above 0.95). */
export function makeBatch(rng: Rng, B: number, H: number, W: number, C: number, confident: (b: number, i: number) => boolean) {
  const t = new Float32Array(B * H * W * C);
  const s = new Float32Array(B * H * W * C);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < H * W; i++) {
      const base = (b * H * W + i) * C;
      for (let c = 0; c < C; c++) {
        t[base + c] = rng.normal() * 0.5;
        s[base + c] = rng.normal() * 1.5;
      }
      if (confident(b, i)) t[base + rng.int(C)] += 8;
    }
  }
  return { teacher: tf.tensor4d(t, [B, H, W, C]), student: tf.tensor4d(s, [B, H, W, C]) };
}

export function valueAndGrad(fn: (s: tf.Tensor4D) => tf.Scalar, student: tf.Tensor4D): { value: number; grad: Float32Array } {
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => fn(x as tf.Tensor4D))(student);
  const out = { value: value.dataSync()[0], grad: grad.dataSync() as Float32Array };
  tf.dispose([value, grad]);
  return out;
}

/** Elementwise within 1e-5 relative, with an absolute slack of 1e-5 of the largest entry. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  expectArraysClose(actual, expected, 1e-5, 1e-5 * scale + 1e-12);
}

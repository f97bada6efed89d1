import { tf } from '@ssseg/engine';
import type { Rng } from '@ssseg/core';

// Bound once: looking `Math` up on the global object per call is slow under jest's sandbox.
const { sqrt, log, cos, sin, PI } = Math;

/** Standard normal values from the seeded Rng (Box-Muller, both values of each pair used). */
export function normalValues(rng: Rng, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 2) {
    const r = sqrt(-2 * log(1 - rng.next()));
    const angle = 2 * PI * rng.next();
    out[i] = r * cos(angle);
    if (i + 1 < size) out[i + 1] = r * sin(angle);
  }
  return out;
}

/**
 * Kaiming-normal values (He et al.), mode fan_out for ReLU as torchvision and UniMatch initialise
 * convolutions: std = sqrt(2 / fanOut). Drawn from the seeded Rng so the same seed gives the same net.
 */
export function kaimingNormal(rng: Rng, shape: number[], fanOut: number): tf.Tensor {
  const std = sqrt(2 / fanOut);
  const values = normalValues(rng, shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] *= std;
  return tf.tensor(values, shape);
}

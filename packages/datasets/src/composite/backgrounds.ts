import type { Rng } from '@ssseg/core';

// Bound once: looking up the global Math on every pixel is slow inside jest's vm sandbox.
const { sin, cos, abs, floor, ceil, min, max, PI } = Math;

/**
 * Backgrounds for composites: each fills a `size` x `size` HWC RGB image (values in [0, 1]) with a
 * pattern between two colours, so that a background is never one flat colour.
 */

function mix(image: Float32Array, p: number, from: readonly number[], to: readonly number[], t: number): void {
  for (let c = 0; c < 3; c++) image[3 * p + c] = from[c] + (to[c] - from[c]) * t;
}

/** A linear gradient from `from` to `to` along the direction `angle` (radians), across the canvas. */
export function fillLinearGradient(image: Float32Array, size: number, from: readonly number[], to: readonly number[], angle: number): void {
  const [dx, dy] = [cos(angle), sin(angle)];
  const span = (abs(dx) + abs(dy)) * size || 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      mix(image, y * size + x, from, to, ((x - size / 2) * dx + (y - size / 2) * dy) / span + 0.5);
    }
  }
}

/** Soft stripes (a sine across the direction `angle`) of the given period in pixels. */
export function fillStripes(image: Float32Array, size: number, from: readonly number[], to: readonly number[], angle: number, period: number, phase: number): void {
  const [dx, dy] = [cos(angle), sin(angle)];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      mix(image, y * size + x, from, to, 0.5 + 0.5 * sin((2 * PI * (x * dx + y * dy)) / period + phase));
    }
  }
}

/** A checkerboard of `cell`-pixel squares, shifted by (ox, oy). */
export function fillChecker(image: Float32Array, size: number, from: readonly number[], to: readonly number[], cell: number, ox: number, oy: number): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      mix(image, y * size + x, from, to, (floor((x + ox) / cell) + floor((y + oy) / cell)) % 2);
    }
  }
}

/** Smooth value noise: random levels on a lattice of `cell` pixels, interpolated (smoothstep) between. */
export function fillValueNoise(image: Float32Array, size: number, from: readonly number[], to: readonly number[], cell: number, rng: Rng): void {
  const nodes = ceil(size / cell) + 1;
  const lattice = Float32Array.from({ length: nodes * nodes }, () => rng.next());
  const smooth = (t: number) => t * t * (3 - 2 * t);
  for (let y = 0; y < size; y++) {
    const gy = floor(y / cell), ty = smooth(y / cell - gy);
    for (let x = 0; x < size; x++) {
      const gx = floor(x / cell), tx = smooth(x / cell - gx);
      const top = lattice[gy * nodes + gx] * (1 - tx) + lattice[gy * nodes + gx + 1] * tx;
      const bottom = lattice[(gy + 1) * nodes + gx] * (1 - tx) + lattice[(gy + 1) * nodes + gx + 1] * tx;
      mix(image, y * size + x, from, to, top * (1 - ty) + bottom * ty);
    }
  }
}

/** Adds a grey grain uniform in [-amount, amount] to every pixel, clamped to [0, 1]. */
export function addGrain(image: Float32Array, size: number, amount: number, rng: Rng): void {
  for (let p = 0; p < size * size; p++) {
    const g = rng.uniform(-amount, amount);
    for (let c = 0; c < 3; c++) image[3 * p + c] = min(1, max(0, image[3 * p + c] + g));
  }
}

import type { Rng } from '@ssseg/core';

/** A random colour, RGB in [0, 1], with hue uniform and value and saturation uniform in the given ranges. */
export function randomColour(rng: Rng, value: [number, number], saturation: [number, number]): number[] {
  const hue = rng.next() * 6;
  const v = rng.uniform(value[0], value[1]);
  const s = rng.uniform(saturation[0], saturation[1]);
  const f = hue - Math.floor(hue);
  const p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  return [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]][Math.floor(hue) % 6];
}

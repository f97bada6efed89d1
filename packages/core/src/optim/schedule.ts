/** Poly decay as UniMatch uses: lr * (1 - step / total) ^ power. */
export function polyLr(baseLr: number, step: number, totalSteps: number, power = 0.9): number {
  if (totalSteps <= 0) return baseLr;
  return baseLr * Math.pow(Math.max(0, 1 - step / totalSteps), power);
}

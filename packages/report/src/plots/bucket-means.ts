/** Bucket means so that a long run draws at most `maxPoints` points (a logged term is noisy step to step anyway). */
export function bucketMeans(points: readonly { step: number; value: number }[], maxPoints = 200): { step: number; value: number }[] {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (finite.length <= maxPoints) return finite.map(({ step, value }) => ({ step, value }));
  const size = Math.ceil(finite.length / maxPoints);
  const out: { step: number; value: number }[] = [];
  for (let i = 0; i < finite.length; i += size) {
    const bucket = finite.slice(i, i + size);
    out.push({ step: bucket[bucket.length - 1].step, value: bucket.reduce((s, p) => s + p.value, 0) / bucket.length });
  }
  return out;
}

/**
 * The q-th percentile (0-100) of `values`, interpolated linearly between the two nearest ranks
 * (numpy's default method, which U2PL's thresholds use). `values` is left unchanged.
 */
export function percentile(values: Float32Array, q: number): number {
  if (!values.length) throw new Error('percentile of no values');
  if (!(q >= 0 && q <= 100)) throw new Error(`percentile must be in [0, 100], got ${q}`);
  const sorted = Float32Array.from(values).sort();
  const position = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

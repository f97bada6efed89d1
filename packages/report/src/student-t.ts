/**
 * Student's t distribution: its two-sided tail and its quantiles, for confidence intervals of a
 * mean over a few seeds. The tail is the regularized incomplete beta function
 * P(|T| > t) = I_x(df/2, 1/2), x = df / (df + t²), evaluated by its continued fraction.
 */

const STIRLING_FROM = 20;

/**
 * ln Γ(a) - ln Γ(a + 1/2). Shifted up to a >= 20 by Γ(z + 1) = z Γ(z), then from Stirling's series,
 * whose leading terms cancel exactly in the difference: computing the two log-gammas apart would
 * lose digits once they grow large (ln Γ(5e6) is 7e7).
 */
export function logGammaRatioHalf(a: number): number {
  if (!(a > 0)) throw new RangeError(`logGammaRatioHalf needs a > 0, got ${a}`);
  let shift = 0;
  let z = a;
  for (; z < STIRLING_FROM; z += 1) shift += Math.log(z + 0.5) - Math.log(z);
  // (z - 1/2) ln z - z - [z ln(z + 1/2) - (z + 1/2)] = -ln(z)/2 - z ln(1 + 1/(2z)) + 1/2
  const leading = -0.5 * Math.log(z) - z * Math.log1p(0.5 / z) + 0.5;
  return leading + stirlingCorrection(z) - stirlingCorrection(z + 0.5) + shift;
}

/** ln Γ(z) - [(z - 1/2) ln z - z + ln(2π)/2] for z >= 20: the next term is below 1e-15 there. */
function stirlingCorrection(z: number): number {
  const w = 1 / (z * z);
  return (1 / 12 - w * (1 / 360 - w * (1 / 1260 - w / 1680))) / z;
}

const CF_EPSILON = 1e-16;
const CF_TINY = 1e-300;
const CF_MAX_TERMS = 1_000_000;

/** The continued fraction of I_x(a, b) (modified Lentz), converging fast for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < CF_TINY ? CF_TINY : d);
  let h = d;
  for (let m = 1; m <= CF_MAX_TERMS; m++) {
    const m2 = 2 * m;
    for (const coefficient of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + coefficient * d;
      d = 1 / (Math.abs(d) < CF_TINY ? CF_TINY : d);
      c = 1 + coefficient / c;
      if (Math.abs(c) < CF_TINY) c = CF_TINY;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < CF_EPSILON) return h;
  }
  throw new RangeError(`the incomplete beta function's continued fraction did not converge (a ${a}, b ${b}, x ${x})`);
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df)) throw new RangeError(`degrees of freedom must be a positive finite number, got ${df}`);
}

/** ln of the t density at t. */
function logDensity(t: number, df: number): number {
  // 1 / (sqrt(df) B(df/2, 1/2)), B(a, 1/2) = Γ(a) Γ(1/2) / Γ(a + 1/2)
  const logNorm = -0.5 * Math.log(df) - 0.5 * Math.log(Math.PI) - logGammaRatioHalf(df / 2);
  return logNorm - ((df + 1) / 2) * Math.log1p((t * t) / df);
}

export function studentTDensity(t: number, df: number): number {
  checkDf(df);
  return Math.exp(logDensity(t, df));
}

/** P(|T| > t) for T with df degrees of freedom. */
export function studentTTwoSidedTail(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  const u = t * t;
  if (u === 0) return 1;
  if (!Number.isFinite(u)) return 0;
  const a = df / 2;
  const b = 0.5;
  // x = df / (df + t²) and 1 - x = t² / (df + t²), each formed without subtracting from 1
  const x = df / (df + u);
  const y = u / (df + u);
  const front = Math.exp(-a * Math.log1p(u / df) + b * Math.log(y) - (logGammaRatioHalf(a) + 0.5 * Math.log(Math.PI)));
  const complement = () => 1 - (front * betaContinuedFraction(b, a, y)) / b; // 1 - I_y(b, a)
  if (x >= (a + 1) / (a + b + 2)) return complement();
  const direct = (front * betaContinuedFraction(a, b, x)) / a;
  // The direct fraction's first terms cancel to about y (df in the billions: y ~ 4e-12 at t ~ 2), a
  // relative error near eps / y; the complement loses eps / tail. Keep the one that loses less.
  return direct > y ? complement() : direct;
}

const QUANTILE_TOLERANCE = 1e-15;

/**
 * The p-quantile of Student's t with df degrees of freedom: the t with P(T <= t) = p. Newton's
 * method on the tail, kept inside a bracket that bisection shrinks whenever a Newton step would
 * leave it (the tail is monotone, so the bracket always holds the root).
 */
export function studentTQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p > 0 && p < 1)) throw new RangeError(`a quantile needs 0 < p < 1, got ${p}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  const target = 2 * (1 - p);
  const excess = (t: number) => studentTTwoSidedTail(t, df) - target; // decreasing in t
  let lo = 0;
  let hi = 2;
  while (excess(hi) > 0) {
    lo = hi;
    hi *= 2;
  }
  let t = (lo + hi) / 2;
  for (let i = 0; i < 200; i++) {
    const f = excess(t);
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    const newton = t + f / (2 * studentTDensity(t, df));
    const next = newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (Math.abs(next - t) <= QUANTILE_TOLERANCE * next) return next;
    t = next;
  }
  return t;
}

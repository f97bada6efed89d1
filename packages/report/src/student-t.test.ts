import { logGammaRatioHalf, studentTQuantile, studentTTwoSidedTail } from './student-t';

/**
 * t(0.975, df), computed with mpmath 1.2.1 at 40 significant digits (Debian's python3): the root of
 * betainc(df/2, 1/2, 0, df/(df+t²), regularized=True) = 0.05 by mpmath.findroot. The last entry is
 * the normal quantile sqrt(2) erfinv(0.95).
 */
const T_975: [number, number][] = [
  [1, 12.7062047361747], [2, 4.302652729749464], [3, 3.18244630528371], [4, 2.776445105197794],
  [5, 2.570581835636316], [6, 2.44691185114497], [7, 2.364624251592785], [8, 2.306004135204167],
  [9, 2.262157162798206], [10, 2.228138851986275], [11, 2.20098516009164], [12, 2.178812829667229],
  [13, 2.160368656462793], [14, 2.144786687917804], [15, 2.131449545559776], [16, 2.119905299221255],
  [17, 2.109815577833317], [18, 2.100922040241038], [19, 2.09302405440831], [20, 2.085963447265865],
  [21, 2.07961384472768], [22, 2.073873067904026], [23, 2.068657610419049], [24, 2.063898561628026],
  [25, 2.059538552753298], [26, 2.055529438642873], [27, 2.051830516480286], [28, 2.048407141795245],
  [29, 2.045229642132704], [30, 2.042272456301238], [40, 2.021075390306273], [60, 2.000297822014261],
  [120, 1.979930405082441], [1000, 1.962339080826408], [1e6, 1.959966356814107], [1e7, 1.959964221767205],
];
const NORMAL_975 = 1.959963984540054;

/** The printed two-sided 5 % column of the standard t table, to its three decimals. */
const T_TABLE: [number, number][] = [
  [1, 12.706], [2, 4.303], [3, 3.182], [4, 2.776], [5, 2.571], [6, 2.447], [7, 2.365], [8, 2.306], [9, 2.262],
  [10, 2.228], [15, 2.131], [20, 2.086], [25, 2.060], [30, 2.042], [40, 2.021], [60, 2.000], [120, 1.980],
];

/**
 * P(0 <= T <= t) / P(T >= 0) by Simpson's rule, without a gamma or beta function: with
 * t = sqrt(df) tan θ the density's kernel (1 + t²/df)^(-(df+1)/2) dt becomes sqrt(df) cos(θ)^(df-1) dθ
 * on [0, π/2), smooth and bounded, and the constant cancels in the ratio.
 */
function halfCdfBySimpson(t: number, df: number): number {
  const integral = (upper: number) => {
    const steps = 20000;
    const h = upper / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      sum += weight * Math.cos(i * h) ** (df - 1);
    }
    return (sum * h) / 3;
  };
  return integral(Math.atan(t / Math.sqrt(df))) / integral(Math.PI / 2);
}

describe("Student's t distribution", () => {
  it('t(0.975, df) matches 40-digit reference values for df 1..30, 40, 60, 120 and beyond', () => {
    for (const [df, expected] of T_975) expect(Math.abs(studentTQuantile(0.975, df) - expected)).toBeLessThan(1e-12);
  });

  it('t(0.975, df) rounds to the printed t table and tends to the normal quantile 1.959964', () => {
    for (const [df, printed] of T_TABLE) expect(studentTQuantile(0.975, df).toFixed(3)).toBe(printed.toFixed(3));
    // the first term of the expansion in 1 / df (Cornish-Fisher): t = z + (z³ + z) / (4 df) + O(1 / df²)
    const z = NORMAL_975;
    for (const df of [1e9, 1e12, 1e15]) expect(Math.abs(studentTQuantile(0.975, df) - (z + (z ** 3 + z) / (4 * df)))).toBeLessThan(1e-13);
    expect(studentTQuantile(0.975, 1e15).toFixed(6)).toBe('1.959964');
  });

  it('has the closed forms of df 1 (Cauchy) and df 2', () => {
    // df 1: t = tan(π (p - 1/2)); df 2: t = (2p - 1) sqrt(2 / (4 p (1 - p)))
    for (const p of [0.6, 0.9, 0.975, 0.999]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))), 12);
    }
  });

  it('agrees with the t density integrated numerically, for the quantile and the tail', () => {
    for (const df of [...Array.from({ length: 30 }, (_, i) => i + 1), 40, 60, 120]) {
      expect(Math.abs(halfCdfBySimpson(studentTQuantile(0.975, df), df) - 0.95)).toBeLessThan(1e-10);
      for (const t of [0.3, 2, 8]) expect(studentTTwoSidedTail(t, df)).toBeCloseTo(1 - halfCdfBySimpson(t, df), 10);
    }
  });

  it('keeps its digits in the far tail and at huge df (mpmath references)', () => {
    expect(studentTTwoSidedTail(8, 5) / 0.00049290666057244408 - 1).toBeLessThan(1e-12);
    expect(studentTTwoSidedTail(2, 5)).toBeCloseTo(0.10193947882985835625, 14);
    expect(studentTTwoSidedTail(0.3, 5)).toBeCloseTo(0.77624904226327445864, 14);
    expect(studentTTwoSidedTail(1.96, 1e12)).toBeCloseTo(0.049995790296718157, 14);
    expect(studentTTwoSidedTail(0, 3)).toBe(1);
    expect(studentTTwoSidedTail(Infinity, 3)).toBe(0);
  });

  it('is symmetric and handles the centre and other probabilities', () => {
    expect(studentTQuantile(0.025, 5)).toBe(-studentTQuantile(0.975, 5));
    expect(studentTQuantile(0.5, 7)).toBe(0);
    // mpmath: the 0.995 quantile at df 1 and the 0.9999 quantile at df 3; df need not be an integer
    expect(studentTQuantile(0.995, 1)).toBeCloseTo(63.65674116287158, 9);
    expect(studentTQuantile(0.9999, 3)).toBeCloseTo(22.203742273204183, 9);
    expect(studentTQuantile(0.975, 2.5)).toBeCloseTo(3.574654842003683, 12);
  });

  it('ln Γ(a) - ln Γ(a + 1/2) matches exact and 40-digit values, small a and large', () => {
    expect(logGammaRatioHalf(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14); // Γ(1/2) / Γ(1) = sqrt(π)
    expect(logGammaRatioHalf(1)).toBeCloseTo(Math.log(2 / Math.sqrt(Math.PI)), 14); // Γ(1) / Γ(3/2)
    const mpmath: [number, number][] = [[0.25, 1.0847415732667820859], [3.5, -0.590785866880980776], [7, -0.9551130247486319601],
      [19.75, -1.485248307309584425], [20, -1.4916167873313040736], [5e6, -7.7124742101991872394], [5e11, -13.468936967684051449]];
    for (const [a, expected] of mpmath) expect(logGammaRatioHalf(a)).toBeCloseTo(expected, 13);
  });

  it('refuses a probability outside (0, 1) and degrees of freedom that are not positive', () => {
    expect(() => studentTQuantile(1, 3)).toThrow('0 < p < 1, got 1');
    expect(() => studentTQuantile(0, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(Number.NaN, 3)).toThrow(RangeError);
    expect(() => studentTQuantile(0.975, 0)).toThrow('degrees of freedom must be a positive finite number, got 0');
    expect(() => studentTQuantile(0.975, Infinity)).toThrow(RangeError);
    expect(() => studentTTwoSidedTail(1, -1)).toThrow(RangeError);
    expect(() => logGammaRatioHalf(0)).toThrow(RangeError);
  });
});

/**
 * Seeded pseudo-random generator (sfc32) used wherever ssseg draws randomness, so that the same
 * seed gives the same run. Its state is four 32-bit words: it can be saved in a checkpoint and
 * restored to resume the exact stream.
 */
export type RngState = [number, number, number, number];

// Bound once: looking up the global Math on every draw is slow inside jest's vm sandbox.
const { sqrt, log, cos, floor, PI, imul } = Math;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(state: RngState) {
    // Canonical signed words, as the arithmetic below leaves them after any draw: state() of a
    // restored generator then reads the same as the original's, and so does everything named
    // from its text (fork labels, the data loader's streams).
    [this.a, this.b, this.c, this.d] = state.map((v) => v | 0) as RngState;
  }

  /** A generator from a numeric or string seed (strings are hashed). */
  static fromSeed(seed: number | string): Rng {
    const h = hashSeed(String(seed));
    const rng = new Rng([h[0], h[1], h[2], h[3]]);
    for (let i = 0; i < 15; i++) rng.nextUint32(); // mix the seed in
    return rng;
  }

  static fromState(state: RngState): Rng {
    if (!Array.isArray(state) || state.length !== 4 || state.some((v) => !Number.isInteger(v))) {
      throw new Error(`invalid RNG state ${JSON.stringify(state)}: expected four 32-bit integers`);
    }
    return new Rng(state);
  }

  /** Continues from a saved state, in place (holders of this generator see the restored stream). */
  restore(state: RngState): void {
    const r = Rng.fromState(state);
    [this.a, this.b, this.c, this.d] = [r.a, r.b, r.c, r.d];
  }

  state(): RngState {
    return [this.a, this.b, this.c, this.d];
  }

  /** An independent child stream, derived from this one's current state and a label. */
  fork(label: string): Rng {
    return Rng.fromSeed(`${this.a}:${this.b}:${this.c}:${this.d}:${label}`);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new Error(`Rng.int needs n > 0, got ${n}`);
    return floor(this.next() * n);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return sqrt(-2 * log(u)) * cos(2 * PI * this.next());
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** k distinct indices of [0, n), in increasing order (sampling without replacement). */
  sampleIndices(n: number, k: number): number[] {
    if (k >= n) return Array.from({ length: n }, (_, i) => i);
    const chosen = new Set<number>();
    // Floyd's algorithm: k draws, no O(n) buffer.
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      chosen.add(chosen.has(t) ? j : t);
    }
    return [...chosen].sort((x, y) => x - y);
  }
}

/** cyrb128: a string hash giving four well-mixed 32-bit words. */
function hashSeed(str: string): RngState {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ imul(h1 ^ k, 597399067);
    h2 = h3 ^ imul(h2 ^ k, 2869860233);
    h3 = h4 ^ imul(h3 ^ k, 951274213);
    h4 = h1 ^ imul(h4 ^ k, 2716044179);
  }
  h1 = imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

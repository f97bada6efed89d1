// Plain-JS float64 versions of the inter-pixel term's formulas (docs/IPIXMATCH.md), written from
// the text with loops, to check the tensor implementations (naive and fast) on tiny inputs.

function softmaxRow(z: number[], T: number): number[] {
  const m = Math.max(...z.map((v) => v / T));
  const e = z.map((v) => Math.exp(v / T - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function pearsonFloored(a: number[], b: number[], stdFloor: number): number {
  const n = a.length;
  const ma = a.reduce((x, y) => x + y, 0) / n;
  const mb = b.reduce((x, y) => x + y, 0) / n;
  let cov = 0, va = 0, vb = 0;
  for (let j = 0; j < n; j++) {
    cov += (a[j] - ma) * (b[j] - mb);
    va += (a[j] - ma) ** 2;
    vb += (b[j] - mb) ** 2;
  }
  const sa = Math.sqrt(Math.max(va / n, stdFloor ** 2));
  const sb = Math.sqrt(Math.max(vb / n, stdFloor ** 2));
  return cov / n / (sa * sb);
}

export interface ReferenceOptions {
  Tt?: number;
  Ts?: number;
  epsilon?: number;
  stdFloor?: number;
  classes?: 'all' | 'present';
  /** Columns of the affinity (default: the rows themselves); spatial ignores them. */
  ztColumns?: number[][];
  zsColumns?: number[][];
}

/** One group's term from its rows (and columns) of logits (each row C values). */
export function referenceTerm(
  zt: number[][],
  zs: number[][],
  relation: 'affinity' | 'spatial',
  distance: 'kl' | 'correlation',
  { Tt = 1, Ts = 1, epsilon = 1e-8, stdFloor = 0.01, classes = 'all', ztColumns = zt, zsColumns = zs }: ReferenceOptions = {},
): number {
  const M = zt.length;
  const C = zt[0].length;
  if (relation === 'spatial') {
    let total = 0;
    let counted = 0;
    for (let c = 0; c < C; c++) {
      const present = zt.some((r) => r.indexOf(Math.max(...r)) === c);
      if (classes === 'present' && !present) continue;
      const st = softmaxRow(zt.map((r) => r[c]), Tt);
      const ss = softmaxRow(zs.map((r) => r[c]), Ts);
      if (distance === 'kl') total += st.reduce((acc, p, i) => acc + p * (Math.log(p) - Math.log(ss[i])), 0);
      else total += 1 - pearsonFloored(st.map((v) => v * M), ss.map((v) => v * M), stdFloor);
      counted++;
    }
    return total / counted;
  }
  const Pt = zt.map((r) => softmaxRow(r, Tt));
  const Ps = zs.map((r) => softmaxRow(r, Ts));
  const Ptc = ztColumns.map((r) => softmaxRow(r, Tt));
  const Psc = zsColumns.map((r) => softmaxRow(r, Ts));
  const dot = (x: number[], y: number[]) => x.reduce((acc, v, k) => acc + v * y[k], 0);
  let total = 0;
  for (let i = 0; i < M; i++) {
    const at = Ptc.map((pj) => dot(Pt[i], pj));
    const as = Psc.map((pj) => dot(Ps[i], pj));
    if (distance === 'correlation') {
      total += 1 - pearsonFloored(at, as, stdFloor);
    } else {
      const st = at.reduce((a, b) => a + b, 0);
      const ss = as.reduce((a, b) => a + b, 0);
      for (let j = 0; j < at.length; j++) {
        const rt = at[j] / st, rs = as[j] / ss;
        total += rt * (Math.log(rt + epsilon) - Math.log(rs + epsilon));
      }
    }
  }
  return total / M;
}

export interface ReferenceLossOptions {
  relation: 'affinity' | 'spatial';
  distance: 'kl' | 'correlation';
  confThreshold: number;
  rows?: 'confident' | 'all';
  columns?: 'confident' | 'all';
  perClass?: number | null;
  scope?: 'image' | 'batch';
  classes?: 'all' | 'present';
  /** Per flattened pixel, true = ignored. */
  ignored?: (pixel: number) => boolean;
}

/**
 * The whole term over a batch of logits given pixel by pixel (`teacher[p]`, `student[p]`, p over
 * B * perImage pixels): the pixel sets chosen with plain loops as the options describe them, then
 * referenceTerm per group, averaged over contributing groups (0 when none).
 */
export function referenceLoss(teacher: number[][], student: number[][], perImage: number, o: ReferenceLossOptions): number {
  const B = teacher.length / perImage;
  const { rows = 'confident', columns = 'confident', perClass = null, scope = 'image', classes = 'all' } = o;
  const argmax = (r: number[]) => r.indexOf(Math.max(...r));
  const sets: { confident: number[]; all: number[] }[] = [];
  for (let b = 0; b < B; b++) {
    const pixels = Array.from({ length: perImage }, (_, i) => b * perImage + i).filter((p) => !o.ignored?.(p));
    const isConfident = (p: number) => Math.max(...softmaxRow(teacher[p], 1)) >= o.confThreshold;
    let confident = pixels.filter(isConfident);
    if (perClass !== null) {
      const kept = new Set<number>();
      for (let c = 0; c < teacher[0].length; c++) {
        const ofClass = confident.filter((p) => argmax(teacher[p]) === c);
        const n = ofClass.length;
        for (let k = 0; k < Math.min(n, perClass); k++) kept.add(ofClass[n <= perClass ? k : Math.floor((k * n) / perClass)]);
      }
      confident = confident.filter((p) => kept.has(p));
    }
    const all = pixels.filter((p) => !isConfident(p) || confident.includes(p));
    sets.push({ confident, all });
  }
  const rowSet = o.relation === 'spatial' ? columns : rows;
  let groups = sets.map((s) => ({ rows: s[rowSet], columns: s[columns] }));
  if (scope === 'batch') groups = [{ rows: groups.flatMap((g) => g.rows), columns: groups.flatMap((g) => g.columns) }];
  groups = groups.filter((g) => g.rows.length >= 1 && g.columns.length >= 2);
  if (!groups.length) return 0;
  const terms = groups.map((g) =>
    referenceTerm(g.rows.map((p) => teacher[p]), g.rows.map((p) => student[p]), o.relation, o.distance, {
      classes,
      ztColumns: g.columns.map((p) => teacher[p]),
      zsColumns: g.columns.map((p) => student[p]),
    }),
  );
  return terms.reduce((a, b) => a + b, 0) / terms.length;
}

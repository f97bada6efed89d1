// Plain-JS float64 versions of docs/IPIXMATCH.md's per-image formulas, written from the text
// with loops, to check the tensor implementations (naive and fast) on tiny inputs.

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

/** One image's term from its kept rows of logits (each row C values). */
export function referenceTerm(
  zt: number[][],
  zs: number[][],
  relation: 'affinity' | 'spatial',
  distance: 'kl' | 'correlation',
  { Tt = 1, Ts = 1, epsilon = 1e-8, stdFloor = 0.01 } = {},
): number {
  const M = zt.length;
  const C = zt[0].length;
  if (relation === 'spatial') {
    let total = 0;
    for (let c = 0; c < C; c++) {
      const st = softmaxRow(zt.map((r) => r[c]), Tt);
      const ss = softmaxRow(zs.map((r) => r[c]), Ts);
      if (distance === 'kl') total += st.reduce((acc, p, i) => acc + p * (Math.log(p) - Math.log(ss[i])), 0);
      else total += 1 - pearsonFloored(st.map((v) => v * M), ss.map((v) => v * M), stdFloor);
    }
    return total / C;
  }
  const Pt = zt.map((r) => softmaxRow(r, Tt));
  const Ps = zs.map((r) => softmaxRow(r, Ts));
  const dot = (x: number[], y: number[]) => x.reduce((acc, v, k) => acc + v * y[k], 0);
  let total = 0;
  for (let i = 0; i < M; i++) {
    const at = Pt.map((pj) => dot(Pt[i], pj));
    const as = Ps.map((pj) => dot(Ps[i], pj));
    if (distance === 'correlation') {
      total += 1 - pearsonFloored(at, as, stdFloor);
    } else {
      const st = at.reduce((a, b) => a + b, 0);
      const ss = as.reduce((a, b) => a + b, 0);
      for (let j = 0; j < M; j++) {
        const rt = at[j] / st, rs = as[j] / ss;
        total += rt * (Math.log(rt + epsilon) - Math.log(rs + epsilon));
      }
    }
  }
  return total / M;
}

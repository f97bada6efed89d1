import { tf } from '../tf';

export interface KernelShare {
  kernel: string;
  calls: number;
  /** Summed kernel time, ms (per profiled run). */
  ms: number;
  /** Share of all kernel time. */
  share: number;
}

export interface KernelProfile {
  /** Wall time of the profiled run, ms. */
  wallMs: number;
  /** Summed kernel time, ms: the rest of the wall time is JS outside kernels (tape, optimizer bookkeeping). */
  kernelMs: number;
  kernels: KernelShare[];
}

/** Runs `fn` under tf.profile and sums kernel time by kernel name, largest first. */
export async function profileKernels(fn: () => unknown): Promise<KernelProfile> {
  const t0 = performance.now();
  const info = await tf.profile(() => {
    fn();
    return [] as tf.Tensor[];
  });
  const wallMs = performance.now() - t0;
  const totals = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = totals.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    totals.set(k.name, entry);
  }
  const kernelMs = [...totals.values()].reduce((s, e) => s + e.ms, 0);
  const kernels = [...totals.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, ms: e.ms, share: kernelMs > 0 ? e.ms / kernelMs : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { wallMs, kernelMs, kernels };
}

/** The profile as a Markdown table of the `top` largest kernels. */
export function formatKernelProfile(profile: KernelProfile, top = 15): string {
  const rows = profile.kernels.slice(0, top).map((k) => `| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(1)} | ${(k.share * 100).toFixed(1)}% |`);
  return [
    `wall ${profile.wallMs.toFixed(1)} ms, in kernels ${profile.kernelMs.toFixed(1)} ms`,
    '| kernel | calls | ms | share |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

import { tf } from '../tf';

const totals = new Map<string, { calls: number; ms: number }>();

/** The kernel with its calls timed into the process-wide table that SSSEG_PROFILE_KERNELS prints at exit. */
export function timedKernel(config: tf.KernelConfig): tf.KernelConfig {
  const { kernelFunc } = config;
  return {
    ...config,
    kernelFunc: (args) => {
      const t0 = performance.now();
      try {
        return kernelFunc(args);
      } finally {
        const entry = totals.get(config.kernelName) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - t0;
        totals.set(config.kernelName, entry);
      }
    },
  };
}

/** Kernel times so far as a Markdown table, largest first (nested kernel calls count in both). */
export function kernelTimeTable(top = 20): string {
  const all = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const sum = all.reduce((s, [, e]) => s + e.ms, 0);
  const rows = all.slice(0, top).map(([name, e]) => `| ${name} | ${e.calls} | ${e.ms.toFixed(0)} | ${((100 * e.ms) / sum).toFixed(1)}% |`);
  return ['| kernel | calls | ms | share |', '| --- | ---: | ---: | ---: |', ...rows].join('\n');
}

/** With SSSEG_PROFILE_KERNELS=1, prints the table to stderr when the process exits. */
export function kernelProfilingRequested(): boolean {
  return process.env.SSSEG_PROFILE_KERNELS === '1';
}

let exitHook = false;
export function printKernelTimesAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => process.stderr.write(`[ssseg] native kernel times (whole process):\n${kernelTimeTable()}\n`));
}

import * as os from 'os';

/**
 * The 1, 5 and 15-minute load averages. SSSEG_TEST_LOADAVG ('3.5 2 1') stands in for the machine's,
 * so that tests can drive the refusal below through the real CLI on any machine.
 */
export function loadAverages(): number[] {
  const fake = process.env.SSSEG_TEST_LOADAVG;
  return fake ? fake.trim().split(/\s+/).map(Number) : os.loadavg();
}

export const formatLoad = (load: number[]) => load.map((l) => l.toFixed(1)).join(' ');

/**
 * Why a sitting that starts at this load may not go into `file` (BENCHMARKS.md), or undefined when it may:
 * with more runnable processes than cores the engines share the CPUs with others, and the times
 * (and thread scaling above all) read the scheduler, not the engines.
 */
export function recordRefusal(oneMinuteLoad: number, file: string, cores = os.availableParallelism()): string | undefined {
  if (oneMinuteLoad <= cores) return undefined;
  return `not recorded in ${file}: the 1-minute load average was ${oneMinuteLoad.toFixed(2)} at the start, above this machine's ${cores} cores, `
    + `so other processes shared the CPUs and the times are not the engines' alone; see what runs with \`top\` and record when the load is at most ${cores}`;
}

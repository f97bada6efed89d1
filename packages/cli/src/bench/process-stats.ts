import * as fs from 'fs';
import { PerformanceObserver, constants, type PerformanceEntry } from 'perf_hooks';

/** CPU seconds of this process's main thread and of all its other threads (V8's GC and compiler helpers, OpenMP). */
export interface ThreadCpu {
  mainS: number;
  otherS: number;
}

/** Per-thread CPU from /proc (Linux); undefined where there is none. */
export function threadCpu(): ThreadCpu | undefined {
  const tasks = `/proc/${process.pid}/task`;
  if (!fs.existsSync(tasks)) return undefined;
  const ticks = 100; // USER_HZ, 100 on every Linux Node supports
  let mainS = 0, otherS = 0;
  for (const tid of fs.readdirSync(tasks)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`${tasks}/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // fields after the parenthesised name: state is the 1st, utime the 12th, stime the 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const s = (Number(fields[11]) + Number(fields[12])) / ticks;
    if (Number(tid) === process.pid) mainS += s;
    else otherS += s;
  }
  return { mainS, otherS };
}

/** Garbage collections by kind since `start`, and their total pause on the main thread. */
export interface GcCounts {
  major: number;
  minor: number;
  incremental: number;
  pauseMs: number;
}

/** Counts V8's collections from now until the returned function is called. */
export function countCollections(): () => Promise<GcCounts> {
  const counts: GcCounts = { major: 0, minor: 0, incremental: 0, pauseMs: 0 };
  const tally = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) counts.major++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) counts.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) counts.incremental++;
      counts.pauseMs += entry.duration;
    }
  };
  const observer = new PerformanceObserver((list) => tally(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return async () => {
    // gc entries reach the observer after a turn of the event loop: let the last ones arrive
    await new Promise((resolve) => setTimeout(resolve, 10));
    tally(observer.takeRecords());
    observer.disconnect();
    return counts;
  };
}

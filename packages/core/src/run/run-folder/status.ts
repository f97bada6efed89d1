import * as fs from 'fs';
import { isRunDone } from './done';
import { runFile } from './files';
import { readMetrics } from './metrics';

export type RunFolderState = 'done' | 'failed' | 'incomplete' | 'not-started';

export interface RunStatus {
  state: RunFolderState;
  /** Last step logged, for runs that started. */
  step?: number;
  detail?: string;
}

/** Where a run stands: finished (DONE), failed (its end record says so), stopped or running, or not started. */
export function runStatus(dir: string): RunStatus {
  if (isRunDone(dir)) return { state: 'done' };
  const metricsFile = runFile(dir, 'metrics');
  if (!fs.existsSync(metricsFile)) return { state: 'not-started' };
  const records = readMetrics(metricsFile, () => undefined); // a torn last line: still incomplete
  const step = records.reduce((s, r) => Math.max(s, r.step), 0);
  const end = [...records].reverse().find((r) => r.event === 'end');
  if (end && end.failed === true) return { state: 'failed', step, detail: typeof end.stoppedBecause === 'string' ? end.stoppedBecause : undefined };
  return { state: 'incomplete', step };
}

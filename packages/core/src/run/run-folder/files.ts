import * as fs from 'fs';
import * as path from 'path';

/**
 * The files of a run's folder, named once: the runner writes them, report, serve, the queue and
 * TensorBoard read them, all through this module (run/run-folder/). The folder's LOCK is
 * io/folder-lock.ts's (comparison folders take it too); the gallery's files are gallery-index.ts's.
 */
export const RUN_FILES = {
  /** The validated run config, as YAML. */
  config: 'config.yaml',
  /** One JSON line per logged step, evaluation and end (metrics.ts). */
  metrics: 'metrics.jsonl',
  /** The newest checkpoint: a run resumes from it. */
  last: 'last.ckpt',
  /** The checkpoint of the best evaluation. */
  best: 'best.ckpt',
  /** Written when a run ends normally: its presence means a finished run (done.ts). */
  done: 'DONE',
} as const;

export type RunFileName = keyof typeof RUN_FILES;

/** The path of one of the run folder's files. */
export function runFile(dir: string, name: RunFileName): string {
  return path.join(dir, RUN_FILES[name]);
}

/** The run files present in `dir`. */
export function runFilesIn(dir: string): string[] {
  return Object.values(RUN_FILES).filter((f) => fs.existsSync(path.join(dir, f)));
}

/** Temporary files of atomic writes a killed process left (the caller's lock says no one else writes here). */
export function removeTemporaryFiles(dir: string): void {
  const names = new Set<string>(Object.values(RUN_FILES));
  for (const entry of fs.readdirSync(dir)) {
    const target = /^(.*)\.\d+\.\d+\.tmp$/.exec(entry)?.[1];
    if (target && names.has(target)) fs.rmSync(path.join(dir, entry), { force: true });
  }
}

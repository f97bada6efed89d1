/**
 * The files of a run's folder, named once: the runner writes them, report, serve and the queue
 * read them. The gallery's layout is report's (gallery-layout.ts).
 */
export const RUN_FILES = {
  /** The validated run config, as YAML. */
  config: 'config.yaml',
  /** One JSON line per logged step, evaluation and end (metrics-file.ts). */
  metrics: 'metrics.jsonl',
  /** The newest checkpoint: a run resumes from it. */
  last: 'last.ckpt',
  /** The checkpoint of the best evaluation. */
  best: 'best.ckpt',
  /** Written when a run ends normally: its presence means a finished run. */
  done: 'DONE',
} as const;

export type RunFileName = keyof typeof RUN_FILES;

import * as fs from 'fs';
import { tf } from '@ssseg/engine';
import { loadTensorFile, saveTensorFile } from '../io/tensor-file';
import type { Optimizer } from '../optim/optimizer';
import type { RngState } from '../rng';
import type { SegmentationModel } from '../tokens';

/** Where a run stands: enough to continue it exactly. */
export interface RunPosition {
  /** Optimizer steps taken. */
  step: number;
  /** The epoch the next step belongs to. */
  epoch: number;
  rng: RngState;
  loader: unknown;
  bestMiou: number | null;
}

export interface CheckpointParts {
  model: SegmentationModel;
  /** A teacher with its own weights (EMA), if different from the student. */
  teacher?: SegmentationModel;
  optimizer?: Optimizer;
}

/**
 * A training checkpoint: student weights under `model/`, an EMA teacher's under `teacher/`,
 * optimizer slots under `optim/`, and the run position in the header. Written atomically.
 */
export function saveCheckpoint(file: string, parts: CheckpointParts, position: RunPosition, meta: Record<string, unknown> = {}): void {
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, t] of parts.model.getWeights()) tensors.set(`model/${name}`, t);
  if (parts.teacher && parts.teacher !== parts.model) {
    for (const [name, t] of parts.teacher.getWeights()) tensors.set(`teacher/${name}`, t);
  }
  const optimizerState = parts.optimizer?.state();
  for (const [name, t] of optimizerState ?? []) tensors.set(`optim/${name}`, t);
  try {
    saveTensorFile(file, tensors, { ...meta, position, format: 'ssseg-checkpoint-1' });
  } finally {
    tf.dispose([...(optimizerState?.values() ?? [])]);
  }
}

/** Restores what `saveCheckpoint` wrote into the given parts; returns the run position. */
export function loadCheckpoint(file: string, parts: CheckpointParts): { position: RunPosition; meta: Record<string, unknown> } {
  const { tensors, meta } = loadTensorFile(file);
  try {
    const group = (prefix: string) =>
      new Map([...tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
    parts.model.setWeights(group('model/'), { strict: true });
    const teacher = group('teacher/');
    if (parts.teacher && parts.teacher !== parts.model && teacher.size) parts.teacher.setWeights(teacher, { strict: true });
    const optim = group('optim/');
    if (parts.optimizer && optim.size) parts.optimizer.loadState(optim);
    return { position: meta.position as RunPosition, meta };
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

export function checkpointExists(file: string): boolean {
  return fs.existsSync(file);
}

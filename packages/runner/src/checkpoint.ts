import { tf } from '@ssseg/engine';
import { SssegError, partVariableName, saveTensorFile, type Method, type Optimizer, type RngState, type SegmentationModel, type TrainedPart } from '@ssseg/core';
import { loadCheckpointFile, type UseInstead } from './checkpoint-integrity';

/** Where a run stands: enough to continue it exactly. */
export interface RunPosition {
  /** Optimizer steps taken. */
  step: number;
  /** The epoch the next step belongs to. */
  epoch: number;
  rng: RngState;
  loader: unknown;
  bestMiou: number | null;
  /** mIoU of the last evaluation (absent in checkpoints written before it was kept). */
  lastMiou?: number | null;
  /**
   * Seconds the run had trained when this checkpoint was written, over every process (absent in
   * checkpoints written before it was kept: their time is not known).
   */
  trainedSeconds?: number;
}

export interface CheckpointParts {
  model: SegmentationModel;
  /** A teacher with its own weights (EMA), if different from the student. */
  teacher?: SegmentationModel;
  optimizer?: Optimizer;
  /** What the method trains beside the student (CPS's second network, U2PL's representation head), by part name. */
  trained?: ReadonlyMap<string, TrainedPart>;
  /** The method, whose run state (U2PL's memory banks) the checkpoint holds. */
  method?: Method;
  /** The model the run's evaluation scores (`method.evalModel()`): recorded as `evaluated`, 'teacher' or 'model'. */
  evaluated?: SegmentationModel;
}

/** A checkpoint that would hold a non-finite value (a diverged run): nothing was written. */
export class NonFiniteCheckpointError extends SssegError {
  constructor(readonly file: string, readonly tensor: string, readonly value: number) {
    super(`not written: ${tensor} holds ${value} (the run diverged)`, file);
    this.name = 'NonFiniteCheckpointError';
  }
}

/**
 * A training checkpoint: student weights under `model/`, an EMA teacher's under `teacher/`, each
 * trained part's under `part/<name>/`, the method's run state under `method/`, optimizer slots
 * under `optim/`, and the run position and which group the run's evaluation
 * scored (`evaluated`) in the header. Written atomically, and
 * never with a non-finite value in it (weights, batch-norm statistics, optimizer slots): that
 * throws NonFiniteCheckpointError and leaves the previous checkpoint in place.
 */
export function saveCheckpoint(file: string, parts: CheckpointParts, position: RunPosition, meta: Record<string, unknown> = {}): void {
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, t] of parts.model.getWeights()) tensors.set(`model/${name}`, t);
  if (parts.teacher && parts.teacher !== parts.model) {
    for (const [name, t] of parts.teacher.getWeights()) tensors.set(`teacher/${name}`, t);
  }
  for (const [part, trained] of parts.trained ?? []) {
    for (const [name, t] of trained.getWeights()) tensors.set(`part/${partVariableName(part, name)}`, t);
  }
  const methodState = parts.method?.state?.();
  for (const [name, t] of methodState ?? []) tensors.set(`method/${name}`, t);
  const optimizerState = parts.optimizer?.state();
  for (const [name, t] of optimizerState ?? []) tensors.set(`optim/${name}`, t);
  try {
    for (const [name, t] of tensors) {
      if (t.dtype !== 'float32') continue;
      const values = t.dataSync() as Float32Array;
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) throw new NonFiniteCheckpointError(file, name, values[i]);
      }
    }
    const teacherSaved = parts.teacher && parts.teacher !== parts.model;
    const evaluated = parts.evaluated && { evaluated: evaluatedGroup(parts, parts.evaluated, teacherSaved) };
    saveTensorFile(file, tensors, { ...meta, position, ...evaluated, format: 'ssseg-checkpoint-1' });
  } finally {
    tf.dispose([...(optimizerState?.values() ?? []), ...(methodState?.values() ?? [])]);
  }
}

/**
 * 'model', 'teacher', `part/<name>` for a trained part that is a network (CPS's second), or
 * 'combined' for a model made of several (an ensemble of both): no single group holds it.
 */
function evaluatedGroup(parts: CheckpointParts, evaluated: SegmentationModel, teacherSaved: boolean | undefined): string {
  if (evaluated === parts.model) return 'model';
  if (teacherSaved && evaluated === parts.teacher) return 'teacher';
  for (const [part, trained] of parts.trained ?? []) if (trained === evaluated) return `part/${part}`;
  return 'combined';
}

/**
 * Restores what `saveCheckpoint` wrote into the given parts; returns the run position. A damaged
 * file (checksum mismatch) is an error naming it and a checkpoint beside it that verifies, with
 * `useInstead` saying what to do with that one.
 */
export function loadCheckpoint(file: string, parts: CheckpointParts, useInstead?: UseInstead): { position: RunPosition; meta: Record<string, unknown> } {
  const { tensors, meta } = loadCheckpointFile(file, useInstead);
  try {
    const group = (prefix: string) =>
      new Map([...tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
    parts.model.setWeights(group('model/'), { strict: true });
    const teacher = group('teacher/');
    if (parts.teacher && parts.teacher !== parts.model && teacher.size) parts.teacher.setWeights(teacher, { strict: true });
    for (const [part, trained] of parts.trained ?? []) {
      const weights = group(`part/${partVariableName(part, '')}`);
      if (!weights.size) throw new Error(`the checkpoint has no weights of the method's '${part}' ('part/${part}/...')`);
      trained.setWeights(weights, { strict: true });
    }
    if (parts.method?.loadState) {
      const state = group('method/');
      if (!state.size) throw new Error(`the checkpoint has no run state of ${parts.method.type} ('method/...')`);
      parts.method.loadState(state);
    }
    const optim = group('optim/');
    if (parts.optimizer && optim.size) parts.optimizer.loadState(optim);
    return { position: meta.position as RunPosition, meta };
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

import * as fs from 'fs';
import type { Command } from 'commander';
import { tf } from '@ssseg/engine';
import { Method, SssegError, type PluginHost, type RunConfig, type SegmentationModel } from '@ssseg/core';
import { loadCheckpointFile } from '@ssseg/runner';
import { importModelWeights, weightFileKindOf, type Module } from '@ssseg/models';

/** A part the method trained beside the student, as a checkpoint groups its weights (`part/<name>/...`). */
export type PartGroup = `part/${string}`;

/** A checkpoint's weight groups: 'model' the student, 'teacher' an EMA teacher, `part/<name>` a part that is a network (CPS's second). */
export type WeightGroup = 'model' | 'teacher' | PartGroup;

export interface WeightsFlags {
  student?: boolean;
  teacher?: boolean;
  part?: string;
}

/** Adds `--student`, `--teacher` and `--part <name>` to a command that reads a training checkpoint. */
export function withWeightsOptions(command: Command): Command {
  return command
    .option('--student', "use the checkpoint's student weights")
    .option('--teacher', "use the checkpoint's EMA teacher weights")
    .option('--part <name>', "use the weights of a network the method trained beside the student (CPS's 'second')");
}

const isPartGroup = (group: string): group is PartGroup => group.startsWith('part/');

/** The group to use when no flag names one, and why. */
export interface DefaultWeights {
  group: WeightGroup;
  reason: string;
}

/** What a weight file holds, read once: a training checkpoint's groups, or one imported set of weights. */
export interface CheckpointWeights {
  file: string;
  groups: Map<WeightGroup, Map<string, tf.Tensor>>;
  /** The group the run's evaluation scored, as the checkpoint records it (absent in older checkpoints). */
  evaluated?: WeightGroup;
  /** Set for a PyTorch or safetensors file (a published model): one set of weights, for either group. */
  imported?: { notes: string[] };
  dispose(): void;
}

function groupName(group: WeightGroup): string {
  if (isPartGroup(group)) return `the method's '${group.slice('part/'.length)}'`;
  return group === 'model' ? "the student's" : "the EMA teacher's";
}

/** What a checkpoint lacks when it has no `group`, for errors: the parts it does have where a part was asked for. */
function missingGroup(weights: CheckpointWeights, group: WeightGroup): string {
  if (!isPartGroup(group)) return group === 'teacher' ? "teacher weights ('teacher/...')" : "student weights ('model/...')";
  const parts = [...weights.groups.keys()].filter(isPartGroup).map((g) => `'${g.slice('part/'.length)}'`);
  return `weights of a part '${group.slice('part/'.length)}' ('${group}/...'; it has ${parts.length ? `parts ${parts.join(', ')}` : 'none'})`;
}

/**
 * Reads a training checkpoint, checksum verified. A PyTorch or safetensors checkpoint of the same
 * layout (a published UniMatch model) is one set of weights, imported for `model`.
 */
export function readCheckpointWeights(file: string, model: SegmentationModel): CheckpointWeights {
  // a missing file falls through to the tensor-file reader, whose error names it as a checkpoint
  if (fs.existsSync(file) && weightFileKindOf(file) !== 'ssseg') {
    const imported = importModelWeights(model as SegmentationModel & Module, file);
    return {
      file,
      groups: new Map([['model', imported.tensors]]),
      imported: { notes: imported.notes },
      dispose: () => tf.dispose([...imported.tensors.values()]),
    };
  }
  const { tensors, meta } = loadCheckpointFile(file, (alternative) => `give --checkpoint ${alternative} instead`);
  const group = (prefix: string) => new Map([...tensors].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => [n.slice(prefix.length), t]));
  const groups = new Map<WeightGroup, Map<string, tf.Tensor>>();
  const parts = new Set([...tensors.keys()].filter(isPartGroup).map((n) => n.split('/').slice(0, 2).join('/') as PartGroup));
  for (const g of ['model', 'teacher', ...parts] as const) {
    const found = group(`${g}/`);
    if (found.size) groups.set(g, found);
  }
  const dispose = () => tf.dispose([...tensors.values()]);
  if (!groups.has('model')) {
    dispose();
    throw new SssegError("no student weights ('model/...') in the file: not a training checkpoint", file);
  }
  const recorded = meta.evaluated as WeightGroup | undefined;
  // 'combined' (a model made of several) names no group: the record is then of no use here
  const evaluated = recorded && groups.has(recorded) ? recorded : undefined;
  return { file, groups, evaluated, dispose };
}

/**
 * The group to use: the flag's, else the one the run's evaluation scored as the checkpoint records
 * it, else `fallback` (a checkpoint written before the record); with the line that says which and why.
 */
export function chooseWeights(weights: CheckpointWeights, flags: WeightsFlags, fallback: () => DefaultWeights): { group: WeightGroup; reason: string; line: string } {
  if (flags.student && flags.teacher) throw new SssegError('give --student or --teacher, not both');
  if (flags.part !== undefined && (flags.student || flags.teacher)) throw new SssegError(`give --part or ${flags.student ? '--student' : '--teacher'}, not both`);
  if (weights.imported) {
    const reason = weights.imported.notes.join('; ');
    return { group: 'model', reason, line: `weights: ${weights.file}: ${reason}` };
  }
  const chosen: DefaultWeights = flags.part !== undefined ? { group: `part/${flags.part}`, reason: `--part ${flags.part}` }
    : flags.teacher ? { group: 'teacher', reason: '--teacher' }
      : flags.student ? { group: 'model', reason: '--student' }
        : weights.evaluated ? { group: weights.evaluated, reason: "the run's evaluation scored them" }
          : fallback();
  if (!weights.groups.has(chosen.group)) {
    throw new SssegError(`${chosen.reason}: the checkpoint has no ${missingGroup(weights, chosen.group)}`, weights.file);
  }
  return { group: chosen.group, reason: chosen.reason, line: `weights: ${groupName(chosen.group)} (${chosen.reason})` };
}

/**
 * Sets one group's weights into a model, every weight required. An imported file fits any group;
 * a part's weights fit where the part is a network of the config's model (CPS's second).
 */
export function setCheckpointGroup(model: SegmentationModel, weights: CheckpointWeights, group: WeightGroup): void {
  const tensors = weights.imported ? weights.groups.get('model') : weights.groups.get(group);
  if (!tensors) throw new SssegError(`the checkpoint has no ${missingGroup(weights, group)}`, weights.file);
  try {
    model.setWeights(tensors, { strict: true });
  } catch (err) {
    throw new SssegError(`the checkpoint does not fit the config's model: ${(err as Error).message}`, weights.file);
  }
}

const OLDER = 'the checkpoint does not record which weights its run evaluated';

/**
 * The default for a checkpoint without the record, from the config alone (no data built): the
 * method's `evaluate` option where it has one (Mean Teacher's), else the student.
 */
export function defaultFromConfig(host: PluginHost, config: RunConfig, configFile: string): DefaultWeights {
  const method = config.method as Record<string, unknown> & { type: string };
  const options = host.parseOptions(host.lookup(Method, method.type, `${configFile}: method.type`), method, `${configFile}: method`);
  if (options.evaluate === 'teacher') return { group: 'teacher', reason: `${OLDER}; the config's method.evaluate is 'teacher'` };
  return { group: 'model', reason: `${OLDER}; the config's method evaluates the student` };
}

/** The default for a checkpoint without the record, from the assembled run's method and what it trains beside the student. */
export function defaultFromMethod(evaluates: SegmentationModel, student: SegmentationModel, parts: ReadonlyMap<string, unknown> = new Map()): DefaultWeights {
  if (evaluates === student) return { group: 'model', reason: `${OLDER}; the config's method evaluates the student` };
  for (const [name, part] of parts) {
    if (part === evaluates) return { group: `part/${name}`, reason: `${OLDER}; the config's method evaluates its '${name}'` };
  }
  return { group: 'teacher', reason: `${OLDER}; the config's method evaluates the teacher` };
}

/** Reads a checkpoint and loads the chosen group into `model`; returns the line that says which. */
export function loadChosenWeights(
  model: SegmentationModel, file: string, flags: WeightsFlags, fallback: () => DefaultWeights,
): string {
  const weights = readCheckpointWeights(file, model);
  try {
    const { group, line } = chooseWeights(weights, flags, fallback);
    setCheckpointGroup(model, weights, group);
    return line;
  } finally {
    weights.dispose();
  }
}

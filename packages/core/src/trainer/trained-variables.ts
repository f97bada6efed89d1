import type { tf } from '@ssseg/engine';
import type { Method, SegmentationModel, TrainedPart } from '../tokens';

const PART_NAME = /^[a-z0-9][a-z0-9-]*$/i;

/** The parts a method trains beside the student (none for most methods); names are checked. */
export function trainedPartsOf(method: Method): ReadonlyMap<string, TrainedPart> {
  const parts = method.trainedParts?.() ?? new Map<string, TrainedPart>();
  for (const name of parts.keys()) {
    if (!PART_NAME.test(name)) throw new Error(`${method.type}: trained part '${name}' needs a name of letters, digits and '-'`);
  }
  return parts;
}

/** A trained part's variable as the optimizer and checkpoints name it. */
export function partVariableName(part: string, variable: string): string {
  return `${part}/${variable}`;
}

/**
 * Everything a step's gradients are taken for: the student's variables under their own names (so
 * a run without parts names them as before) and each trained part's under `part/variable`.
 */
export function trainedVariables(student: SegmentationModel, method: Method): Map<string, tf.Variable> {
  const variables = new Map(student.trainableVariables());
  for (const [part, trained] of trainedPartsOf(method)) {
    for (const [name, v] of trained.trainableVariables()) variables.set(partVariableName(part, name), v);
  }
  return variables;
}

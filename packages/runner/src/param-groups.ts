import { partVariableName, trainedPartsOf, type Method, type ParamGroup, type SegmentationModel, type TrainedPart } from '@ssseg/core';

/**
 * Backbone and head parameter groups, as UniMatch trains them: the head (everything outside
 * `backbone.`) at `headLrMultiplier` times the base learning rate.
 */
export function paramGroups(model: SegmentationModel | TrainedPart, headLrMultiplier: number): ParamGroup[] {
  const backbone = new Map(), head = new Map();
  for (const [name, v] of model.trainableVariables()) (name.startsWith('backbone.') ? backbone : head).set(name, v);
  const groups: ParamGroup[] = [];
  if (backbone.size) groups.push({ name: 'backbone', variables: backbone, lrMultiplier: 1 });
  if (head.size) groups.push({ name: 'head', variables: head, lrMultiplier: headLrMultiplier });
  return groups;
}

/**
 * The student's groups, then each of the method's trained parts' by the same rule (a second
 * network's backbone at 1x, anything else at `headLrMultiplier`), named `part/group` with the
 * variables under the names the trainer gives them.
 */
export function runParamGroups(model: SegmentationModel, method: Method, headLrMultiplier: number): ParamGroup[] {
  const groups = paramGroups(model, headLrMultiplier);
  for (const [part, trained] of trainedPartsOf(method)) {
    for (const group of paramGroups(trained, headLrMultiplier)) {
      groups.push({
        name: partVariableName(part, group.name),
        variables: new Map([...group.variables].map(([name, v]) => [partVariableName(part, name), v])),
        lrMultiplier: group.lrMultiplier,
      });
    }
  }
  return groups;
}

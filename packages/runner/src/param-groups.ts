import type { ParamGroup, SegmentationModel } from '@ssseg/core';

/**
 * Backbone and head parameter groups, as UniMatch trains them: the head (everything outside
 * `backbone.`) at `headLrMultiplier` times the base learning rate.
 */
export function paramGroups(model: SegmentationModel, headLrMultiplier: number): ParamGroup[] {
  const backbone = new Map(), head = new Map();
  for (const [name, v] of model.trainableVariables()) (name.startsWith('backbone.') ? backbone : head).set(name, v);
  const groups: ParamGroup[] = [];
  if (backbone.size) groups.push({ name: 'backbone', variables: backbone, lrMultiplier: 1 });
  if (head.size) groups.push({ name: 'head', variables: head, lrMultiplier: headLrMultiplier });
  return groups;
}

import { isPlainObject, readConfigTree, setOwn } from './extends';
import { applyOverrides, type ConfigOverride } from './overrides';

/**
 * The tree a config file and the command line describe: the file over what it `extends:`, then
 * each `--set`. A key whose value is null is unset: it is dropped, so the file it extends, or the
 * default, no longer applies (`backbone: { pretrained: null }`, `--set model.backbone.pretrained=null`),
 * as MMEngine's None and Hydra's `~key` do.
 */
export function configTree(file: string, overrides: readonly ConfigOverride[]): unknown {
  return withoutUnsetKeys(applyOverrides(readConfigTree(file), overrides));
}

/** A copy of `tree` without the keys whose value is null, at any depth (lists keep their items). */
export function withoutUnsetKeys(tree: unknown): unknown {
  if (Array.isArray(tree)) return tree.map(withoutUnsetKeys);
  if (!isPlainObject(tree)) return tree;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) if (value !== null) setOwn(out, key, withoutUnsetKeys(value));
  return out;
}

import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../errors';
import { readConfigFile } from './read-file';
import { resolvePluginFolders } from './plugin-paths';

/** How deep `extends:` may chain; a cycle is caught before, this only bounds a very long chain. */
const MAX_EXTENDS_DEPTH = 16;

/**
 * A config file with the files its top-level `extends:` names (a path relative to the file, or a
 * list of them, later ones over earlier ones) merged under it: the file's own keys win. Objects
 * merge key by key, lists and scalars replace, and a component dict whose `type` differs from the
 * base's replaces it whole (the base's options belong to another component). A cycle or a missing
 * file is an error naming the files involved.
 */
export function readConfigTree(file: string): unknown {
  return readWithParents(path.resolve(file), file, []);
}

function readWithParents(absolute: string, shown: string, chain: readonly string[]): unknown {
  const raw = resolvePluginFolders(readConfigFile(shown), absolute);
  if (!isPlainObject(raw) || !('extends' in raw)) return raw;
  const { extends: parents, ...own } = raw;
  const here = [...chain, absolute];
  if (here.length > MAX_EXTENDS_DEPTH) throw new ConfigError(`extends: more than ${MAX_EXTENDS_DEPTH} files deep`, shown);
  let merged: unknown = {};
  for (const parent of parentNames(parents, shown)) {
    const target = path.resolve(path.dirname(absolute), parent);
    const targetShown = shownPath(target);
    if (here.includes(target)) {
      const cycle = [...here.slice(here.indexOf(target)), target].map(shownPath);
      throw new ConfigError(`extends: cycle ${cycle.join(' -> ')}`, shown);
    }
    if (!fs.existsSync(target)) throw new ConfigError(`extends: '${parent}' not found (looked for ${targetShown})`, shown);
    merged = mergeConfigs(merged, readWithParents(target, targetShown, here));
  }
  return mergeConfigs(merged, own);
}

/** A path as messages show it: relative to the working directory when inside it. */
function shownPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}

function parentNames(value: unknown, file: string): string[] {
  const names = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new ConfigError('extends: expected a file name (relative to this file) or a list of them', file);
  }
  return names;
}

/** `override` over `base`: objects merge key by key, anything else (lists included) replaces. */
export function mergeConfigs(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override;
  if ('type' in base && 'type' in override && base.type !== override.type) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) setOwn(out, key, Object.hasOwn(base, key) ? mergeConfigs(base[key], value) : value);
  return out;
}

/** `object[key] = value` that makes an own key even of `__proto__` (a YAML file may hold one). */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

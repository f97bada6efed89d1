import YAML from 'yaml';
import { ConfigError } from '../errors';
import { isPlainObject, setOwn } from './extends';
import { MAX_CONFIG_ALIAS_COUNT } from './read-limited';
import { closestNames } from './unknown-keys';
import { joinPath } from './zod-errors';

/** One `--set PATH=VALUE`: where in the config tree, and the value its YAML text means. */
export interface ConfigOverride {
  /** As the user wrote it, for messages. */
  text: string;
  path: (string | number)[];
  value: unknown;
}

const EXAMPLE = 'e.g. train.lr=0.01, regularizers[0].weight=0.5, method={type: fixmatch}';

/**
 * Parses `train.lr=0.01`: the path is keys joined by `.`, with `[n]` (or a `.n` segment) for a
 * list item; the value is YAML, so `0.01` is a number, `true` a boolean, `[1, 2]` a list,
 * `{type: ema}` a dict and `'2'` a string.
 */
export function parseOverride(text: string): ConfigOverride {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new ConfigError(`expected PATH=VALUE (${EXAMPLE})`, `--set ${text}`);
  const valueText = text.slice(eq + 1);
  if (!valueText.trim()) throw new ConfigError(`no value after '=' (write '' for an empty string; ${EXAMPLE})`, `--set ${text}`);
  return { text, path: parsePath(text.slice(0, eq), text), value: parseValue(valueText, text) };
}

function parsePath(pathText: string, text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of pathText.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m || (!m[1] && !m[2]) || (!m[1] && out.length === 0)) {
      throw new ConfigError(`'${pathText}' is not a config path (${EXAMPLE})`, `--set ${text}`);
    }
    if (m[1]) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

function parseValue(valueText: string, text: string): unknown {
  const doc = YAML.parseDocument(valueText);
  if (doc.errors.length) throw new ConfigError(`the value is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`, `--set ${text}`);
  try {
    return doc.toJS({ maxAliasCount: MAX_CONFIG_ALIAS_COUNT });
  } catch (err) {
    throw new ConfigError(`the value is not valid YAML: ${(err as Error).message}`, `--set ${text}`);
  }
}

/**
 * The config tree with each override applied in order, without changing `tree`. Sections on the
 * way that the file leaves out are created; a list item must exist; a path through a value that is
 * no section, or an index into what is no list, is an error naming the path (with the key meant
 * when the path's key is close to one the section has). Whether the keys are valid is the schema's
 * job, after this.
 */
export function applyOverrides(tree: unknown, overrides: readonly ConfigOverride[]): unknown {
  return overrides.reduce<unknown>((current, o) => setAt(current, o, 0), tree ?? {});
}

function setAt(node: unknown, o: ConfigOverride, depth: number): unknown {
  if (depth === o.path.length) return o.value;
  const segment = o.path[depth];
  const here = joinPath('', o.path.slice(0, depth + 1));
  if (typeof segment === 'number') {
    if (!Array.isArray(node)) {
      throw new ConfigError(`${here}: ${joinPath('', o.path.slice(0, depth)) || 'the config'} is ${describe(node)}, not a list`, `--set ${o.text}`);
    }
    if (segment >= node.length) {
      throw new ConfigError(`${here}: the list has ${node.length} item${node.length === 1 ? '' : 's'}; set the whole list to add one`, `--set ${o.text}`);
    }
    const copy = [...node];
    copy[segment] = setAt(node[segment], o, depth + 1);
    return copy;
  }
  if (node === undefined || node === null) node = {};
  if (!isPlainObject(node)) {
    throw new ConfigError(`${here}: ${joinPath('', o.path.slice(0, depth))} is ${describe(node)}, not a section`, `--set ${o.text}`);
  }
  const existing = Object.hasOwn(node, segment) ? node[segment] : undefined;
  if (existing === undefined && depth + 1 < o.path.length) {
    // a missing section on the way is more often a misspelt one than one the file leaves out
    const near = closestNames(segment, Object.keys(node)).filter((k) => isPlainObject(node[k]) || Array.isArray(node[k]));
    if (near.length) throw new ConfigError(`${here}: no such section; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?`, `--set ${o.text}`);
  }
  const copy = { ...node };
  setOwn(copy, segment, setAt(existing, o, depth + 1));
  return copy;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string '${value}'`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** What a command line asks of a config besides its file: `--set`s, `--seed`, `--threads`. */
export interface ConfigOverrideOptions {
  set?: readonly string[];
  seed?: number;
  threads?: number;
}

/** Where `--seed` and `--threads` write in one kind of config file (a run config, a compare file). */
export interface ShortcutPaths {
  seed: (seed: number) => string;
  threads: (threads: number) => string;
}

/** The `--set`s the options stand for, `--seed` and `--threads` last so that they win. */
export function overridesFrom(options: ConfigOverrideOptions, shortcuts: ShortcutPaths): ConfigOverride[] {
  const texts = [...(options.set ?? [])];
  if (options.seed !== undefined) texts.push(shortcuts.seed(options.seed));
  if (options.threads !== undefined) texts.push(shortcuts.threads(options.threads));
  return texts.map(parseOverride);
}

/** `file`, or `file (with --set a=1 --set b=2)`, the source errors name once overrides apply. */
export function describeSource(file: string, overrides: readonly ConfigOverride[]): string {
  return overrides.length ? `${file} (with ${overrides.map((o) => `--set ${o.text}`).join(' ')})` : file;
}

import type { core } from 'zod';
import { closestNames, knownKeysAt, type KeyedSchema } from './unknown-keys';

/**
 * One line per issue, each naming the config path (`train.lr`, `regularizers[0].weight`); an
 * unknown key gets a line of its own, with the key meant when `schema` (the schema that was
 * parsed) has one close to it.
 */
export function formatZodIssues(issues: readonly core.$ZodIssue[], prefix = '', schema?: KeyedSchema): string {
  return issues
    .flatMap((issue) => {
      const at = issue.path as PropertyKey[];
      if (issue.code !== 'unrecognized_keys') return [`  ${joinPath(prefix, at) || '(root)'}: ${issue.message}`];
      const known = schema ? knownKeysAt(schema, at) : [];
      return issue.keys.map((key) => `  ${joinPath(prefix, [...at, key])}: ${unknownKeyMessage(key, known)}`);
    })
    .join('\n');
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const near = closestNames(key, known);
  if (near.length) return `unknown key; did you mean ${near.map((n) => `'${n}'`).join(' or ')}?`;
  return known.length ? `unknown key; known keys: ${[...known].sort().join(', ')}` : 'unknown key';
}

export function joinPath(prefix: string, segments: readonly PropertyKey[]): string {
  let out = prefix;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out ? `.${String(s)}` : String(s);
  }
  return out;
}

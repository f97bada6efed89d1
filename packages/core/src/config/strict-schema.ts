import { z } from 'zod';

type Schema = z.core.$ZodType;

/** The definition keys under which a zod 4 schema holds the schemas it is made of. */
const ONE_CHILD = ['innerType', 'in', 'out', 'element', 'valueType', 'left', 'right', 'rest'] as const;
const CHILD_LISTS = ['options', 'items'] as const;

const made = new WeakMap<Schema, Schema>();

/**
 * `schema` with every object in it that would drop unknown keys (`z.object`) made strict
 * (`z.strictObject`), nested ones too: inside optionals and defaults, arrays, tuples, records,
 * unions, intersections and pipes. An object with a catchall (`z.looseObject`, `.catchall(...)`)
 * keeps it: its other keys are declared, not unknown. Refinements and defaults are kept; where
 * nothing changes the schema itself is returned.
 */
export function strictSchema<S extends Schema>(schema: S): S {
  return strict(schema, new Set()) as S;
}

function strict(schema: Schema, visiting: Set<Schema>): Schema {
  const known = made.get(schema);
  if (known) return known;
  // where a recursive schema (a getter in a shape) refers to itself, that reference stays as written
  if (visiting.has(schema)) return schema;
  visiting.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  for (const key of ONE_CHILD) {
    const child = def[key];
    if (!isSchema(child)) continue;
    const next = strict(child, visiting);
    if (next !== child) changes[key] = next;
  }
  for (const key of CHILD_LISTS) {
    const list = def[key];
    if (!Array.isArray(list) || !list.every(isSchema)) continue;
    const next = list.map((child) => strict(child, visiting));
    if (next.some((child, i) => child !== list[i])) changes[key] = next;
  }
  if (def.type === 'object') {
    const shape = def.shape as Record<string, Schema>;
    const next = Object.fromEntries(Object.entries(shape).map(([key, child]) => [key, strict(child, visiting)]));
    if (Object.keys(shape).some((key) => next[key] !== shape[key])) changes.shape = next;
    if (def.catchall === undefined) changes.catchall = z.never();
  }
  visiting.delete(schema);
  const out = Object.keys(changes).length ? z.core.clone(schema, z.core.util.mergeDefs(def, changes) as typeof schema._zod.def) : schema;
  made.set(schema, out);
  return out;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

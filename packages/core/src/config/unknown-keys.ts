/**
 * What a user probably meant by a key a schema does not know: `regularisers` -> `regularizers`,
 * `maxStep` -> `maxSteps`, `weight_decay` -> `weightDecay`.
 */

/** The known names closest to `name` (spelling, case and `_`/`-` aside), or none when nothing is close. */
export function closestNames(name: string, known: readonly string[]): string[] {
  const wanted = normalise(name);
  // a third of the name may be mistyped: enough for a letter or two, not for another word
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of known) {
    const d = editDistance(wanted, normalise(candidate));
    if (d > limit || d > best) continue;
    if (d < best) found = [];
    best = d;
    found.push(candidate);
  }
  return found;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, '');
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}

/** The parts of a zod 4 schema definition needed to find the object at a path. */
interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  valueType?: { _zod: { def: SchemaDef } };
  options?: { _zod: { def: SchemaDef } }[];
}

/** Anything zod-like: a schema carries its definition in `_zod.def`. */
export type KeyedSchema = { _zod: { def: unknown } };

/**
 * The keys the object schema at `path` inside `schema` accepts (every option's, for a union), or
 * an empty list where the path leads to no object schema.
 */
export function knownKeysAt(schema: KeyedSchema, path: readonly PropertyKey[]): string[] {
  let defs: SchemaDef[] = [schema._zod.def as SchemaDef];
  for (const segment of path) defs = defs.flatMap((d) => objectsOf(d)).flatMap((d) => childAt(d, segment));
  const keys = new Set<string>();
  for (const d of defs.flatMap((def) => objectsOf(def))) for (const k of Object.keys(d.shape ?? {})) keys.add(k);
  return [...keys];
}

/** The object (or array, record) definitions a wrapped definition stands for. */
function objectsOf(def: SchemaDef, depth = 0): SchemaDef[] {
  if (depth > 20) return [];
  const inner = def.innerType ?? def.in;
  if (inner) return objectsOf(inner._zod.def, depth + 1);
  if (def.options) return def.options.flatMap((o) => objectsOf(o._zod.def, depth + 1));
  return [def];
}

function childAt(def: SchemaDef, segment: PropertyKey): SchemaDef[] {
  if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) return [def.shape[segment]._zod.def];
  if (def.type === 'array' && typeof segment === 'number' && def.element) return [def.element._zod.def];
  if (def.type === 'record' && def.valueType) return [def.valueType._zod.def];
  return [];
}

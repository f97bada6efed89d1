import type { PixelSelection } from './select-pixels';

export type PixelSet = 'confident' | 'all';
export type RelationScope = 'image' | 'batch';

/** The pixels one relation is formed over: row i relates to every pixel of `columns`. */
export interface RelationGroup {
  rows: Int32Array;
  /** The same array as `rows` when rows and columns are the same set (the square case). */
  columns: Int32Array;
}

/**
 * One group per image (`scope: image`) or one for the whole batch (`scope: batch`, the images'
 * pixels pooled), keeping only groups with at least one row and two columns.
 */
export function relationGroups(selection: PixelSelection, rows: PixelSet, columns: PixelSet, scope: RelationScope): RelationGroup[] {
  const rowSets = selection[rows];
  const columnSets = selection[columns];
  let groups: RelationGroup[];
  if (scope === 'batch') {
    const pooledRows = concat(rowSets);
    groups = [{ rows: pooledRows, columns: rows === columns ? pooledRows : concat(columnSets) }];
  } else {
    groups = rowSets.map((r, b) => ({ rows: r, columns: columnSets[b] }));
  }
  return groups.filter((g) => g.rows.length >= 1 && g.columns.length >= 2);
}

export function concat(parts: Int32Array[]): Int32Array {
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

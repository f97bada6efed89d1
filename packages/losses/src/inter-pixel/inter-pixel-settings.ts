import { z } from 'zod';

/**
 * The settings of the inter-pixel relation term, with their defaults: what interPixelLoss takes
 * besides its tensors, and what the IPixMatch regularizer's options extend.
 */
export const InterPixelSettings = z.strictObject({
  /** `affinity`: pixel-by-pixel class agreement; `spatial`: per-class distributions over pixels. */
  relation: z.enum(['affinity', 'spatial']).default('affinity'),
  /** `kl` or `correlation` (row Pearson). KL by default: the correlation form hurt in the reference runs and collapsed at weight 1 (docs/IPIXMATCH.md). */
  distance: z.enum(['kl', 'correlation']).default('kl'),
  /** Pixels whose teacher top probability is below this are left out. */
  confThreshold: z.number().min(0).max(1).default(0.95),
  teacherTemperature: z.number().positive().default(1),
  studentTemperature: z.number().positive().default(1),
  /**
   * Which pixels the relations start from (`rows`) and relate to (`columns`): `confident` the kept
   * confident pixels; `all` every non-ignored pixel (less the confident ones `perClass` or
   * `maxPixels` left out). Row i's relation is `A[i, j] / Σ_{j in columns} A[i, j]`; KL and
   * correlation average over rows. A group contributes with at least one row and two columns.
   * `relation: spatial` forms its distributions over the columns and takes no `rows: all`.
   */
  rows: z.enum(['confident', 'all']).default('confident'),
  columns: z.enum(['confident', 'all']).default('confident'),
  /**
   * Per image, keep at most this many confident pixels of each teacher class (argmax): of a
   * class's n, those at raster positions floor(k n / K), k < K; null keeps all.
   */
  perClass: z.number().int().min(1).nullable().default(null),
  /** Keep at most this many confident pixels per image (after perClass), drawn without replacement with the seeded `rng`; null keeps all. */
  maxPixels: z.number().int().min(2).nullable().default(null),
  /** `image`: relations within each image; `batch`: among the batch's pixels pooled as one set. */
  scope: z.enum(['image', 'batch']).default('image'),
  /** Spatial only: `all` classes, or those `present` as the teacher's argmax on a kept pixel. */
  classes: z.enum(['all', 'present']).default('all'),
  /** Rows of the [M, M] affinity held at once by the chunked KL. */
  chunkRows: z.number().int().positive().default(1024),
  /**
   * Correlation only: floor on each row's standard deviation (see affinityCorrelation). Affinity
   * entries are probabilities in [0, 1]: a row of a two-class image with a share s of the other
   * class has std ≈ sqrt(s(1-s)), so 0.01 only flattens rows with < 0.01% of another class (or
   * near-uniform predictions) and caps the 1/std gradient factor at 100.
   */
  stdFloor: z.number().positive().default(0.01),
  /**
   * Added inside the logs of the affinity KL. Row-normalised affinities average 1/M (6e-5 at
   * M = 16384), so 1e-8 keeps entries that underflow to 0 finite while biasing a typical entry by
   * under 2e-4 relative, well inside float32's useful range.
   */
  epsilon: z.number().min(0).default(1e-8),
});
export type InterPixelSettings = z.output<typeof InterPixelSettings>;

/** The rules between settings; a schema that extends InterPixelSettings adds them with `superRefine` (a refined object can no longer be extended). */
export function interPixelRules(o: InterPixelSettings, ctx: z.RefinementCtx): void {
  if (o.relation === 'spatial' && o.rows !== 'confident') {
    ctx.addIssue({ code: 'custom', path: ['rows'], message: "applies to relation 'affinity' only (spatial distributions run over the columns)" });
  }
  if (o.relation !== 'spatial' && o.classes !== 'all') {
    ctx.addIssue({ code: 'custom', path: ['classes'], message: "applies to relation 'spatial' only" });
  }
}

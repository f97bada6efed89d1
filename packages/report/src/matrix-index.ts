import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { ConfigError, RunConfigSchema, formatZodIssues, writeFileAtomic } from '@ssseg/core';
import type { ComparisonMatrix } from './matrix';
import { DEFAULT_SUPERVISED_METHODS } from './compare-config';

/** File name of the index a comparison folder holds: the planned runs and skipped cells. */
export const MATRIX_INDEX_FILE = 'matrix.json';

export const PlannedRunSchema = z.object({
  id: z.string().min(1),
  dir: z.string().min(1),
  method: z.string().min(1),
  variant: z.string().min(1),
  split: z.string().min(1),
  seed: z.number().int(),
  config: RunConfigSchema,
});

export const MatrixIndexSchema = z.object({
  format: z.literal('ssseg-compare-matrix'),
  version: z.literal(1),
  name: z.string().optional(),
  methods: z.array(z.string()),
  variants: z.array(z.string()),
  baselineVariant: z.string().nullable(),
  /** Absent from indexes written before it was recorded: read as the default supervised method types. */
  supervisedMethods: z.array(z.string()).optional(),
  splits: z.array(z.string()),
  seeds: z.array(z.number().int()),
  runs: z.array(PlannedRunSchema),
  skipped: z.array(z.object({ method: z.string(), variant: z.string(), reason: z.string() })),
});
export type MatrixIndex = z.infer<typeof MatrixIndexSchema>;

/** Writes `<outDir>/matrix.json` atomically; the runner calls it before the first run starts. */
export function writeMatrixIndex(outDir: string, matrix: ComparisonMatrix): string {
  const file = path.join(outDir, MATRIX_INDEX_FILE);
  const index: MatrixIndex = { format: 'ssseg-compare-matrix', version: 1, ...matrix };
  writeFileAtomic(file, JSON.stringify(index, null, 2) + '\n');
  return file;
}

/** Reads and validates `<outDir>/matrix.json`; errors name the file and the path inside it. */
export function readMatrixIndex(outDir: string): ComparisonMatrix {
  const file = path.join(outDir, MATRIX_INDEX_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? 'no comparison index here (is this a `ssseg compare` output folder?)' : `unreadable: ${code ?? (err as Error).message}`, file);
  }
  const parsed = MatrixIndexSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid comparison index:\n${formatZodIssues(parsed.error.issues)}`, file);
  const { format: _format, version: _version, supervisedMethods, ...matrix } = parsed.data;
  return {
    ...matrix,
    supervisedMethods: supervisedMethods ?? matrix.methods.filter((label) => {
      const type = matrix.runs.find((r) => r.method === label)?.config.method.type;
      return type !== undefined && DEFAULT_SUPERVISED_METHODS.includes(type);
    }),
  };
}

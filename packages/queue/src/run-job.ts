import { createHash } from 'crypto';
import * as path from 'path';
import { z } from 'zod';
import { formatZodIssues, parseRunConfig, type RunConfig } from '@ssseg/core';
import { unreadablePayload } from './payload';

/** The queue every command uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'ssseg-runs';

/**
 * The job id of a run of the comparison in `outDir`: run ids repeat across comparisons (every matrix
 * has a `fixmatch+none/1_32/seed1`), so the folder is part of it, as a short hash.
 */
export function jobIdFor(outDir: string, runId: string): string {
  return `${createHash('sha256').update(path.resolve(outDir)).digest('hex').slice(0, 12)}-${runId}`;
}

/** An npm package name: a plugin is only ever resolved as an installed package, never as a path. */
const PackageName = z
  .string()
  .regex(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/, 'must be an installed package name, not a path');

/**
 * A job's data: plain data only. `dir` is the run's absolute folder on storage shared by the
 * workers; `config` is a run config, validated again by the worker.
 */
export const RunJobSchema = z.strictObject({
  runId: z.string().min(1),
  dir: z.string().refine((d) => path.isAbsolute(d), 'must be an absolute folder'),
  config: z.looseObject({ plugins: z.array(PackageName).optional() }),
});

export interface RunJob {
  runId: string;
  dir: string;
  config: RunConfig;
}

export class RunJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunJobError';
  }
}

/** Validates a job's data; the error names the job and every bad field. */
export function parseRunJob(data: unknown, jobId = '?'): RunJob {
  const unreadable = unreadablePayload(data);
  if (unreadable) throw new RunJobError(`job ${jobId}: invalid payload: ${unreadable}`);
  const parsed = RunJobSchema.safeParse(data);
  if (!parsed.success) throw new RunJobError(`job ${jobId}: invalid payload:\n${formatZodIssues(parsed.error.issues, '', RunJobSchema)}`);
  let config: RunConfig;
  try {
    config = parseRunConfig(parsed.data.config, `job ${jobId}: config`);
  } catch (error) {
    throw new RunJobError((error as Error).message);
  }
  return { runId: parsed.data.runId, dir: parsed.data.dir, config };
}

import { ConfigError } from '../errors';
import { formatZodIssues } from './zod-errors';
import { RunConfigSchema, type RunConfig } from './schema';
import { configTree } from './config-tree';
import { describeSource, overridesFrom, type ConfigOverrideOptions } from './overrides';

export { readConfigFile } from './read-file';

/** Validates a run config and fills defaults; every error names its config path. */
export function parseRunConfig(raw: unknown, source = 'config'): RunConfig {
  if (isCompareConfig(raw)) throw new ConfigError("this is a compare config (it has 'base:'): run it with 'ssseg compare --config'", source);
  const parsed = RunConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(`invalid config:\n${formatZodIssues(parsed.error.issues, '', RunConfigSchema)}`, source);
  }
  return parsed.data;
}

/**
 * A run config file with what it `extends:` merged under it, the command line's overrides applied
 * (`--set`, `--seed` for train.seed, `--threads` for engine.threads), null keys unset, validated.
 */
export function loadRunConfig(file: string, options: ConfigOverrideOptions = {}): RunConfig {
  const overrides = runOverrides(options);
  return parseRunConfig(configTree(file, overrides), describeSource(file, overrides));
}

/**
 * How errors name a run config read with these overrides: the file, with the `--set`s when there
 * are any, so that a component option a `--set` made invalid names the flag too.
 */
export function runConfigSource(file: string, options: ConfigOverrideOptions = {}): string {
  return describeSource(file, runOverrides(options));
}

function runOverrides(options: ConfigOverrideOptions) {
  return overridesFrom(options, { seed: (n) => `train.seed=${n}`, threads: (n) => `engine.threads=${n}` });
}

/** A compare file's shape: a `base:` run config and no run config keys of its own. */
export function isCompareConfig(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'base' in raw && !('model' in raw);
}

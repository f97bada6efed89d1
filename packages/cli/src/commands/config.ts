import type { Command } from 'commander';
import YAML from 'yaml';
import { loadRunConfig, type ConfigOverrideOptions, type RunConfig } from '@ssseg/core';
import { createCliHost } from '../cli-host';
import { resolveRunConfig } from '@ssseg/runner';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

/** A run config file loaded, with each component's options checked by its schema and defaults filled in. */
export function checkedRunConfig(file: string, overrides?: ConfigOverrideOptions): RunConfig {
  const raw = loadRunConfig(file, overrides);
  return resolveRunConfig(createCliHost({ plugins: raw.plugins }), raw, file);
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect run configs');
  withConfigOverrideOptions(config.command('print <file>'), 'run')
    .description('validate a config (JSON or YAML) and print it with every default filled in')
    .option('--json', 'print JSON instead of YAML')
    .action((file: string, opts: { json?: boolean } & ConfigOverrideFlags) => {
      const resolved = checkedRunConfig(file, configOverrides(opts));
      process.stdout.write(opts.json ? JSON.stringify(resolved, null, 2) + '\n' : YAML.stringify(resolved));
    });
}

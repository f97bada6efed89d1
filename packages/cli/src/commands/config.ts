import type { Command } from 'commander';
import YAML from 'yaml';
import { loadRunConfig } from '@ssseg/core';
import { createCliHost } from '../cli-host';
import { resolveRunConfig } from '@ssseg/runner';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect run configs');
  withConfigOverrideOptions(config.command('print <file>'), 'run')
    .description('validate a config (JSON or YAML) and print it with every default filled in')
    .option('--json', 'print JSON instead of YAML')
    .action((file: string, opts: { json?: boolean } & ConfigOverrideFlags) => {
      const raw = loadRunConfig(file, configOverrides(opts));
      const host = createCliHost({ plugins: raw.plugins });
      const resolved = resolveRunConfig(host, raw, file);
      process.stdout.write(opts.json ? JSON.stringify(resolved, null, 2) + '\n' : YAML.stringify(resolved));
    });
}

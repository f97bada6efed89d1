import type { Command } from 'commander';
import { tokenName } from '@ssseg/core';
import { createCliHost } from '../cli-host';

export function registerPluginCommands(program: Command): void {
  const plugins = program.command('plugins').description('installed plugins and the component types they register');
  plugins
    .command('list')
    .description('list every registered type per extension point and the package it came from, then each plugin package\'s folder')
    .option('--json', 'print JSON')
    .option('--plugin <name...>', 'also load these plugin packages (names, or folders: ./path)')
    .action((opts: { json?: boolean; plugin?: string[] }) => {
      const host = createCliHost({ plugins: opts.plugin });
      const rows = host.components().map((c) => ({
        extensionPoint: tokenName(c.token),
        type: c.type,
        plugin: c.plugin,
        version: c.pluginVersion,
        summary: c.implementation.summary ?? '',
        folder: c.folder ?? null,
      }));
      rows.sort((a, b) => a.extensionPoint.localeCompare(b.extensionPoint) || a.type.localeCompare(b.type));
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      let current = '';
      for (const row of rows) {
        if (row.extensionPoint !== current) {
          current = row.extensionPoint;
          process.stdout.write(`\n${current}\n`);
        }
        process.stdout.write(`  ${row.type.padEnd(22)} ${`${row.plugin}@${row.version}`.padEnd(36)} ${row.summary}\n`);
      }
      if (!rows.length) process.stdout.write('no plugins found\n');
      const packages = host.plugins().filter((p) => p.folder);
      if (packages.length) process.stdout.write('\nPlugin packages\n');
      for (const p of packages) process.stdout.write(`  ${`${p.name}@${p.version}`.padEnd(59)} ${p.folder}\n`);
    });
}

import * as path from 'path';
import type { Command } from 'commander';
import { writePluginSkeleton } from '../scaffold/new-plugin';
import { PLUGIN_KINDS } from '../scaffold/templates';

export function registerPluginNewCommand(program: Command): void {
  program
    .command('plugin')
    .description('plugin authoring')
    .command('new <name>')
    .description('write a working plugin package skeleton (package.json, tsup, jest, one component, one test)')
    .requiredOption('--kind <kind>', `extension point: ${PLUGIN_KINDS.join(' | ')}`)
    .option('--type <type>', 'config type name (default: from the package name)')
    .option('--dir <dir>', 'target folder (default: ./<name without scope>)')
    .action((name: string, opts: { kind: string; type?: string; dir?: string }) => {
      const dir = path.resolve(opts.dir ?? name.replace(/^@[^/]+\//, ''));
      const files = writePluginSkeleton({ name, kind: opts.kind, type: opts.type, dir });
      process.stdout.write(`wrote ${files.length} files to ${dir}\nnext: cd ${dir} && npm install && npm run build && npm test\n`);
    });
}

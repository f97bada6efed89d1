import * as path from 'path';
import type { Command } from 'commander';
import { writePluginSkeleton } from '../scaffold/new-plugin';
import { PLUGIN_KINDS } from '../scaffold/plugin-template';
import { registerPluginLinkCommands } from './plugin-link';

export function registerPluginNewCommand(program: Command): void {
  const plugin = program.command('plugin').description('plugin authoring, and plugins in folders of their own');
  plugin
    .command('new <name>')
    .description('write a working plugin package: a copy of the example plugin of that kind, renamed')
    .requiredOption('--kind <kind>', `extension point: ${PLUGIN_KINDS.join(' | ')}`)
    .option('--type <type>', 'config type name (default: from the package name)')
    .option('--dir <dir>', 'target folder (default: ./<name without scope>)')
    .option('--registry', "depend on published @ssseg packages (version ranges) instead of this ssseg's folders (file: links, no registry needed)")
    .action((name: string, opts: { kind: string; type?: string; dir?: string; registry?: boolean }) => {
      const dir = path.resolve(opts.dir ?? name.replace(/^@[^/]+\//, ''));
      const files = writePluginSkeleton({ name, kind: opts.kind, type: opts.type, dir, dependencies: opts.registry ? 'registry' : 'local' });
      process.stdout.write(
        `wrote ${files.length} files to ${dir}\nnext: cd ${dir} && npm install && npm run build && npm test\n` +
          `then, in the project that uses it: npx ssseg plugin link ${dir}\n`,
      );
    });
  registerPluginLinkCommands(plugin);
}

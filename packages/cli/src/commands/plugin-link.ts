import * as path from 'path';
import type { Command } from 'commander';
import { SssegError, tokenName } from '@ssseg/core';
import { addPluginLink, pluginLinks, projectRoot, removePluginLink } from '@ssseg/runner';
import { createCliHost } from '../cli-host';

/**
 * `ssseg plugin link DIR` and `unlink DIR`: a plugin package in a folder of its own (no registry
 * has it) made visible to every command run in this project, by recording the folder in the
 * project's package.json. A folder is linked only once it loads.
 */
export function registerPluginLinkCommands(plugin: Command): void {
  plugin
    .command('link <dir>')
    .description("use the plugin package in <dir> in every command run in this project (recorded in its package.json's ssseg.plugins)")
    .action((dir: string) => {
      const folder = path.resolve(dir);
      const project = projectRoot(process.cwd());
      const host = createCliHost();
      host.loadFolder(folder);
      const loaded = host.plugins().find((p) => p.folder === folder);
      if (!loaded) throw new SssegError(`${folder} holds a plugin already loaded from elsewhere; ssseg plugins list shows where`);
      const added = addPluginLink(project, folder);
      const types = host.components().filter((c) => c.plugin === loaded.name).map((c) => `${tokenName(c.token)} '${c.type}'`);
      process.stdout.write(
        `${added ? 'linked' : 'already linked:'} ${loaded.name}@${loaded.version} (${folder}) in ${pluginLinks(project).file}\n` +
          `it registers ${types.join(', ') || 'no component types'}\n`,
      );
    });
  plugin
    .command('unlink <dir>')
    .description('stop using the plugin folder <dir> that ssseg plugin link recorded in this project')
    .action((dir: string) => {
      const project = projectRoot(process.cwd());
      const links = pluginLinks(project);
      if (!removePluginLink(project, dir)) {
        throw new SssegError(`${path.resolve(dir)} is not linked in ${links.file} (linked: ${links.folders.join(', ') || 'none'})`);
      }
      process.stdout.write(`unlinked ${path.resolve(dir)} in ${links.file}\n`);
    });
}

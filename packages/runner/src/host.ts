import * as path from 'path';
import { PluginHost } from '@ssseg/core';
import { pluginFolders, projectRoot } from './plugin-folders';
import { pluginLinks } from './plugin-links';
import { runnerPlugin } from './plugin';

export interface HostOptions {
  /** The working directory: plugins are found in the node_modules of its project. */
  cwd?: string;
  /** Plugin packages named by a config's `plugins:` list. */
  plugins?: string[];
  /**
   * The package whose install is searched too (its own node_modules and the folder that holds
   * it): the CLI passes its own; default this runner's.
   */
  installedWith?: string;
}

/**
 * A plugin host with the runner's own components (optimizers, schedules, every run's hooks) and
 * the ssseg plugins installed where pluginFolders looks (the project's node_modules and the
 * CLI's install): packages that declare `"ssseg": { "plugin" }` in their package.json, the
 * folders the project links (`ssseg plugin link`), plus those a config names explicitly.
 */
export function createHost(options: HostOptions = {}): PluginHost {
  const host = new PluginHost();
  host.load(runnerPlugin);
  const cwd = options.cwd ?? process.cwd();
  for (const folder of pluginFolders(cwd, options.installedWith ?? path.resolve(__dirname, '..'))) host.discover(folder);
  const links = pluginLinks(projectRoot(cwd));
  for (const folder of links.folders) host.loadFolder(folder, `${links.file}, ssseg.plugins; unlink it with 'ssseg plugin unlink ${folder}'`);
  for (const name of options.plugins ?? []) host.loadByName(name, cwd);
  return host;
}

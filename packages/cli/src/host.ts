import * as path from 'path';
import { PluginHost } from '@ssseg/core';
import { pluginFolders } from './plugin-folders';

export interface HostOptions {
  /** The working directory: plugins are found in the node_modules of its project. */
  cwd?: string;
  /** Plugin packages named by a config's `plugins:` list. */
  plugins?: string[];
}

/**
 * A plugin host with the ssseg plugins installed where pluginFolders looks (the project's
 * node_modules and the CLI's install): packages that declare `"ssseg": { "plugin" }` in their
 * package.json, plus those a config names explicitly.
 */
export function createHost(options: HostOptions = {}): PluginHost {
  const host = new PluginHost();
  const cwd = options.cwd ?? process.cwd();
  for (const folder of pluginFolders(cwd, path.resolve(__dirname, '..'))) host.discover(folder);
  for (const name of options.plugins ?? []) host.loadByName(name, cwd);
  return host;
}

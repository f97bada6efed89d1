import * as path from 'path';
import { PluginHost } from '@ssseg/core';

export interface HostOptions {
  /** Where to look for plugin packages (node_modules of this folder and its parents). */
  cwd?: string;
  /** Plugin packages named by a config's `plugins:` list. */
  plugins?: string[];
}

/**
 * A plugin host with every installed ssseg plugin: packages that declare `"ssseg": { "plugin" }`
 * in their package.json, found from the working directory and from the CLI's own install, plus
 * those a config names explicitly.
 */
export function createHost(options: HostOptions = {}): PluginHost {
  const host = new PluginHost();
  const cwd = options.cwd ?? process.cwd();
  host.discover(cwd);
  host.discover(path.resolve(__dirname, '..'));
  for (const name of options.plugins ?? []) host.loadByName(name, cwd);
  return host;
}

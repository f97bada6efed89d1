import * as path from 'path';

/**
 * A plugin named by its folder rather than its package name: `./x`, `../x` or an absolute path
 * (no npm package name starts with '.' or '/').
 */
export function isFolderSpec(spec: string): boolean {
  return path.isAbsolute(spec) || /^\.\.?([\\/]|$)/.test(spec);
}

/** The steps that make a plugin outside any node_modules visible, as the errors name them. */
export const PLUGIN_FOLDER_STEPS =
  "link its folder with 'npx ssseg plugin link /path/to/plugin' (docs/PLUGINS.md, Loading), " +
  "or name its folder in the config's plugins: (a path relative to the config file)";

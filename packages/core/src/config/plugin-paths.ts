import * as path from 'path';
import { isFolderSpec } from '../plugin-spec';

/**
 * A config file's contents with the folders in its top-level `plugins:` (`./x`, `../x`) made
 * absolute, relative to the file: where the config is used from (a run folder's copy, a compare,
 * a worker) then does not change which plugin it names. Package names are left as they are.
 */
export function resolvePluginFolders(raw: unknown, configFile: string): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const plugins = (raw as { plugins?: unknown }).plugins;
  if (!Array.isArray(plugins)) return raw;
  const dir = path.dirname(path.resolve(configFile));
  return { ...raw, plugins: plugins.map((p) => (typeof p === 'string' && isFolderSpec(p) ? path.resolve(dir, p) : p)) };
}

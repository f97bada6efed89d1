import * as fs from 'fs';
import * as path from 'path';

/**
 * The folders whose `node_modules` are searched for plugin packages, and no others: the project
 * the command runs in (the nearest folder from `cwd` up with a package.json, else `cwd` itself)
 * and the install of this CLI (the node_modules folder holding it, and its own node_modules).
 * Parent folders are not searched: any package with an `ssseg.plugin` field found there would
 * run its code in every command.
 */
export function pluginFolders(cwd: string, cliPackageDir: string): string[] {
  const folders = [projectRoot(cwd), cliPackageDir];
  const install = installRoot(cliPackageDir);
  if (install) folders.push(install);
  return [...new Set(folders)];
}

/** The nearest folder from `dir` up that holds a package.json; `dir` itself when none does. */
export function projectRoot(dir: string): string {
  const start = path.resolve(dir);
  for (let d = start; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) return start;
  }
}

/**
 * The folder whose node_modules holds the package in `packageDir` (`<project>` for
 * `<project>/node_modules/@ssseg/cli`, or the workspace root that links it), found by the link
 * or folder that resolves to this very package.
 */
export function installRoot(packageDir: string): string | undefined {
  const real = realpath(packageDir);
  const name = packageName(packageDir);
  if (!real || !name) return undefined;
  for (let d = path.dirname(real); path.dirname(d) !== d; d = path.dirname(d)) {
    if (path.basename(d) === 'node_modules') continue;
    if (realpath(path.join(d, 'node_modules', name)) === real) return d;
  }
  return undefined;
}

function packageName(dir: string): string | undefined {
  try {
    const name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

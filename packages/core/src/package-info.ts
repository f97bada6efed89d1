import * as fs from 'fs';
import * as path from 'path';

/** The fields of a package.json that ssseg reads. */
export interface PackageJson {
  name: string;
  version: string;
  main?: string;
  ssseg?: { plugin?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * The nearest package.json at or above `from` (a folder or file: `__dirname` in a package's
 * sources or build) for which `accept` holds, with the folder it sits in. Sources (src/) and
 * builds (dist/) of a package both find the package's own file.
 */
export function findPackageJson(
  from: string,
  accept: (pkg: PackageJson) => boolean = () => true,
): { pkg: PackageJson; dir: string } | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      let pkg: PackageJson;
      try {
        pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
      }
      if (accept(pkg)) return { pkg, dir };
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Name and version of the package that holds `from`; an error if there is none. */
export function packageInfo(from: string): { name: string; version: string } {
  const found = findPackageJson(from, (pkg) => typeof pkg.name === 'string' && typeof pkg.version === 'string');
  if (!found) throw new Error(`no package.json with a name and version at or above ${from}`);
  return { name: found.pkg.name, version: found.pkg.version };
}

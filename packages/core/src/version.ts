import * as semver from 'semver';

import { packageInfo } from './package-info';

export const CORE_VERSION: string = packageInfo(__dirname).version;

/**
 * The @ssseg/core range a plugin package declares (peerDependencies first), and whether this
 * core satisfies it. A plugin without a declared range is accepted.
 */
export function coreCompatibility(pkg: { peerDependencies?: Record<string, string>; dependencies?: Record<string, string> }): {
  range?: string;
  compatible: boolean;
} {
  const range = pkg.peerDependencies?.['@ssseg/core'] ?? pkg.dependencies?.['@ssseg/core'];
  if (!range || range.startsWith('workspace:') || range === '*') return { range, compatible: true };
  return { range, compatible: semver.satisfies(CORE_VERSION, range, { includePrerelease: true }) };
}

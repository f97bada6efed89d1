import * as fs from 'fs';
import * as path from 'path';
import { SssegError, packageInfo } from '@ssseg/core';
import { exampleNames, newPluginNames, pluginTemplate, renamer, typeOfPackage, type PluginTemplate } from './plugin-template';

export interface NewPluginOptions {
  /** npm package name, e.g. '@acme/ssseg-plugin-consistency' or 'ssseg-plugin-consistency'. */
  name: string;
  kind: string;
  /** The config `type` (defaults to the package name without scope and 'ssseg-plugin-'). */
  type?: string;
  dir: string;
  /**
   * Where dependencies come from: 'local' (default) links every one this ssseg's install holds
   * (`file:` its folders: @ssseg/core and @ssseg/engine, and the toolchain where it is there), so the
   * package installs, builds and tests offline against the ssseg that made it; 'registry' writes
   * version ranges, for a plugin built against published ssseg packages.
   */
  dependencies?: 'local' | 'registry';
}

/**
 * What a plugin outside the workspace has instead of the workspace's shared settings: a
 * tsconfig.json of its own to type-check with, and jest compiling TypeScript with it (ts-jest's
 * preset reads the package's tsconfig.json). tfjs keeps its engine on the global object, which
 * jest must not clean between test files.
 */
const STANDALONE_SCRIPTS = { typecheck: 'tsc --noEmit -p .' };
const STANDALONE_JEST = {
  preset: 'ts-jest',
  testEnvironmentOptions: { globalsCleanup: 'off' },
  setupFiles: ['reflect-metadata'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

/**
 * `file:<folder>` of a package this CLI's install resolves (the ssseg that writes the plugin), or
 * the version range when it resolves none (a toolchain package missing from a published install).
 */
function localOr(name: string, range: string, from: NewPluginOptions['dependencies']): string {
  if (from === 'registry') return range;
  // the folders Node would look in from here (package.json itself may be hidden by an `exports` map)
  for (const dir of require.resolve.paths(name) ?? []) {
    const folder = path.join(dir, name);
    if (fs.existsSync(path.join(folder, 'package.json'))) return `file:${fs.realpathSync(folder)}`;
  }
  return range;
}

function dependencySpecs(ranges: Record<string, string>, from: NewPluginOptions['dependencies']): Record<string, string> {
  return Object.fromEntries(Object.entries(ranges).map(([name, range]) => [name, localOr(name, range, from)]));
}

/**
 * The example's package.json for a package of its own: the new name, no license (the author
 * chooses), the standalone settings, and the dependencies (the toolchain added, since no workspace
 * root provides it, and this CLI, so that `npx ssseg` runs in the plugin's folder) linked or as
 * ranges.
 */
function packageJson(template: PluginTemplate, type: string, options: NewPluginOptions): string {
  const { license: _license, ...example } = template.packageJson;
  const cli = packageInfo(__dirname);
  const pkg = {
    ...example,
    name: options.name,
    description: `ssseg plugin: ${type} (${options.kind})`,
    scripts: { ...example.scripts, ...STANDALONE_SCRIPTS },
    jest: STANDALONE_JEST,
    dependencies: dependencySpecs(example.dependencies ?? {}, options.dependencies),
    devDependencies: dependencySpecs({ ...example.devDependencies, ...template.toolchain, [cli.name]: `^${cli.version}` }, options.dependencies),
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/**
 * Writes a plugin package made from the example plugin of the kind asked for (its package.json,
 * README and src/, with the example's package name, type, class and term name replaced by the new
 * plugin's), with the workspace's build config and compiler options as files of its own, so it
 * builds (tsup), type-checks (tsc), tests (jest) and loads by name outside the workspace.
 * Refuses to write into a non-empty folder.
 */
export function writePluginSkeleton(options: NewPluginOptions): string[] {
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(options.name)) {
    throw new SssegError(`'${options.name}' is not a valid npm package name`);
  }
  const template = pluginTemplate(options.kind);
  const type = options.type ?? typeOfPackage(options.name);
  if (!/^[a-z][a-z0-9-]*$/.test(type)) {
    throw new SssegError(`'${type}' is not a usable plugin type: use lower-case letters, digits and '-', starting with a letter`);
  }
  if (fs.existsSync(options.dir) && fs.readdirSync(options.dir).length) {
    throw new SssegError(`${options.dir} is not empty; choose a new folder`);
  }
  const example = exampleNames(template);
  const rename = renamer(example, newPluginNames(example, options.name, type));
  const files: Record<string, string> = {
    'package.json': packageJson(template, type, options),
    // linked folders are built already: npm must not run their prepare scripts (ts-jest's needs its own devDependencies)
    '.npmrc': 'ignore-scripts=true\n',
    'tsconfig.json': template.tsconfig,
    'tsup.config.ts': template.tsupConfig,
  };
  for (const [rel, text] of Object.entries(template.files)) files[rename(rel)] = rename(text);
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(options.dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

import * as fs from 'fs';
import * as path from 'path';
import { SssegError } from '@ssseg/core';

/** Extension points `ssseg plugin new` has an example plugin of, and that example's folder in the template. */
const EXAMPLES: Record<string, string> = { regularizer: 'example' };
export const PLUGIN_KINDS = Object.keys(EXAMPLES);

export interface ExamplePackageJson {
  name: string;
  license?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** What scripts/copy-plugin-template.js copied from the workspace when this package was built. */
export interface PluginTemplate {
  packageJson: ExamplePackageJson;
  /** The example's other files (README.md, src/...), by path inside its folder. */
  files: Record<string, string>;
  tsconfig: string;
  tsupConfig: string;
  /** Version ranges of the build and test tools. */
  toolchain: Record<string, string>;
}

/** The names a plugin is known by, which a copy of the example replaces. */
export interface PluginNames {
  packageName: string;
  type: string;
  className: string;
  /** The default `name` option: the loss term's name in metrics (loss/<name>). */
  termName?: string;
}

function templateDir(): string {
  let dir = __dirname; // src/scaffold/ or dist/, inside this package
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist/plugin-template');
}

function filesUnder(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.posix.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(files, filesUnder(dir, rel));
    else files[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  }
  return files;
}

export function pluginTemplate(kind: string): PluginTemplate {
  const example = EXAMPLES[kind];
  if (!example) throw new SssegError(`unknown plugin kind '${kind}': use one of ${PLUGIN_KINDS.join(', ')}`);
  const dir = templateDir();
  if (!fs.existsSync(dir)) throw new SssegError(`the plugin template is missing (${dir}): build @ssseg/cli first (npm run build)`);
  const { 'package.json': packageJson, ...files } = filesUnder(path.join(dir, example));
  return {
    packageJson: JSON.parse(packageJson) as ExamplePackageJson,
    files,
    tsconfig: fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'),
    tsupConfig: fs.readFileSync(path.join(dir, 'tsup.config.ts'), 'utf8'),
    toolchain: JSON.parse(fs.readFileSync(path.join(dir, 'toolchain.json'), 'utf8')) as Record<string, string>,
  };
}

/** The type a package registers by default: its name without scope and 'ssseg-plugin-'. */
export function typeOfPackage(packageName: string): string {
  return packageName.replace(/^@[^/]+\//, '').replace(/^ssseg-plugin-/, '');
}

/** The example's names: its package's, the type that names its component file, the class that file exports. */
export function exampleNames(template: PluginTemplate): PluginNames {
  const type = typeOfPackage(template.packageJson.name);
  const component = template.files[`src/${type}.ts`];
  const className = component && /export class (\w+)/.exec(component)?.[1];
  if (!className) throw new SssegError(`the example plugin ${template.packageJson.name} has no src/${type}.ts exporting a class`);
  const termName = /name: z\.string\(\)\.default\('([^']+)'\)/.exec(component)?.[1];
  return { packageName: template.packageJson.name, type, className, termName };
}

/**
 * The names of a plugin made from the example: its class and loss term named after its type, or
 * the example's own when the type is the example's (so that the example made again is itself).
 */
export function newPluginNames(example: PluginNames, packageName: string, type: string): PluginNames {
  if (type === example.type) return { ...example, packageName };
  const className = type.split('-').filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return { packageName, type, className, termName: type };
}

/** Replaces the example's names (in text and paths) by the new plugin's. */
export function renamer(from: PluginNames, to: PluginNames): (text: string) => string {
  const pairs: [string, string][] = [
    [from.packageName, to.packageName],
    [from.className, to.className],
    [from.type, to.type],
    ...(from.termName && to.termName ? [[`'${from.termName}'`, `'${to.termName}'`] as [string, string]] : []),
  ];
  return (text) => pairs.reduce((out, [a, b]) => out.split(a).join(b), text);
}

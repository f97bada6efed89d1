import * as fs from 'fs';
import * as path from 'path';
import { CORE_VERSION, SssegError } from '@ssseg/core';
import { componentTemplate } from './templates';

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

/**
 * Writes a plugin package that builds (tsup), tests (jest) and loads by name: package.json with
 * @ssseg/core as a peer dependency and the `ssseg.plugin` field, one component, one test.
 * Refuses to write into a non-empty folder.
 */
function dependencySpecs(ranges: Record<string, string>, from: NewPluginOptions['dependencies']): Record<string, string> {
  return Object.fromEntries(Object.entries(ranges).map(([name, range]) => [name, localOr(name, range, from)]));
}

export function writePluginSkeleton(options: NewPluginOptions): string[] {
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(options.name)) {
    throw new SssegError(`'${options.name}' is not a valid npm package name`);
  }
  const type = options.type ?? options.name.replace(/^@[^/]+\//, '').replace(/^ssseg-plugin-/, '');
  const className = type.split(/[^a-zA-Z0-9]/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  const component = componentTemplate(options.kind, type, className);
  if (fs.existsSync(options.dir) && fs.readdirSync(options.dir).length) {
    throw new SssegError(`${options.dir} is not empty; choose a new folder`);
  }
  const range = `^${CORE_VERSION}`;
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: options.name,
      version: '0.1.0',
      description: `ssseg plugin: ${type} (${options.kind})`,
      main: 'dist/index.js',
      types: 'dist/index.d.ts',
      files: ['dist'],
      scripts: { build: 'tsup', test: 'jest' },
      ssseg: { plugin: './dist/index.js' },
      peerDependencies: { '@ssseg/core': range, '@ssseg/engine': range },
      dependencies: dependencySpecs({ inversify: '^7.8.0', zod: '^4.1.0' }, options.dependencies),
      devDependencies: dependencySpecs({
        '@ssseg/core': range, '@ssseg/engine': range, '@types/jest': '^30.0.0', '@types/node': '^20.19.0', jest: '^30.0.0',
        'reflect-metadata': '^0.2.2', 'ts-jest': '^29.4.15', tsup: '^8.5.0', typescript: '~6.0.3',
      }, options.dependencies),
    }, null, 2) + '\n',
    // linked folders are built already: npm must not run their prepare scripts (ts-jest's needs its own devDependencies)
    '.npmrc': 'ignore-scripts=true\n',
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', strict: true, esModuleInterop: true,
        skipLibCheck: true, experimentalDecorators: true, emitDecoratorMetadata: true, declaration: true,
        outDir: 'dist', rootDir: 'src', types: ['node', 'jest'], ignoreDeprecations: '6.0',
      },
      include: ['src'],
    }, null, 2) + '\n',
    'tsup.config.ts': `import { defineConfig } from 'tsup';\n\nexport default defineConfig({\n  entry: ['src/index.ts'],\n  format: ['cjs'],\n  dts: true,\n  clean: true,\n  target: 'node20',\n  external: [/^@ssseg\\//],\n});\n`,
    'jest.config.js': `module.exports = {\n  testEnvironment: 'node',\n  transform: { '^.+\\\\.ts$': ['ts-jest', { tsconfig: { isolatedModules: true, experimentalDecorators: true, emitDecoratorMetadata: true } }] },\n  setupFiles: ['reflect-metadata'],\n  testPathIgnorePatterns: ['/node_modules/', '/dist/'],\n};\n`,
    [`src/${type}.ts`]: component.source,
    [`src/${type}.test.ts`]: component.test,
    'src/index.ts': `import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { ${component.token}, definePlugin, provide } from '@ssseg/core';
import { ${className} } from './${type}';

export { ${className} };

// name and version come from package.json, next to src/ and dist/
export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, ${component.token}, ${className})),
});
`,
    'README.md': `# ${options.name}\n\nAn ssseg ${options.kind} plugin registering the type \`${type}\`.\n\n` +
      '```sh\nnpm install && npm run build && npm test\n```\n\nUse it from a run config:\n\n```yaml\nplugins: [' +
      `'${options.name}']\n` + (options.kind === 'regularizer' ? `regularizers:\n  - { type: ${type}, weight: 0.1 }\n` : '') + '```\n',
  };
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(options.dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    written.push(file);
  }
  return written;
}

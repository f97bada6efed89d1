import { ContainerModule, inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, Regularizer, PseudoLabeler, type UnsupervisedContext } from './tokens';
import { componentType, definePlugin, provide } from './plugin';
import { createPluginHost } from './container';
import { ConfigError, PluginError } from './errors';
import { parseRunConfig } from './config/load';

@injectable()
class ConstantRegularizer implements Regularizer {
  static options = z.object({ value: z.number().default(2), name: z.string().default('constant') });
  static readonly type = 'constant';
  readonly type = componentType(this);
  readonly name: string;
  readonly value: number;
  constructor(@inject(ComponentOptions) options: ComponentOptions<typeof ConstantRegularizer.options>) {
    this.value = options.value;
    this.name = options.name;
  }
  loss(_context: UnsupervisedContext): never {
    throw new Error('not used in this test');
  }
}

const testPlugin = definePlugin({
  name: 'test-plugin',
  version: '1.0.0',
  module: new ContainerModule(({ bind }) => provide(bind, Regularizer, ConstantRegularizer)),
});

describe('PluginHost', () => {
  it('binds a component under its class\'s static type, and refuses a class without one', () => {
    class Untyped {}
    const plugin = definePlugin({ name: 'untyped', version: '0.0.1', module: new ContainerModule(({ bind }) => provide(bind, Regularizer, Untyped as never)) });
    expect(() => createPluginHost().load(plugin)).toThrow(/Untyped has no static 'type': give the class the name configs use/);
    const host = createPluginHost();
    host.load(testPlugin);
    const built = host.build(Regularizer, { type: 'constant' }, 'regularizers[0]');
    expect(built.type).toBe('constant');
  });


  it('builds a component from a config by type, with validated options and defaults', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    const config = parseRunConfig({
      model: { type: 'unet' },
      data: { type: 'mnist-seg' },
      regularizers: [{ type: 'constant', value: 5 }, { type: 'constant' }],
    });
    const built = config.regularizers.map((r, i) => host.build(Regularizer, r, `regularizers[${i}]`) as ConstantRegularizer);
    expect(built.map((r) => r.value)).toEqual([5, 2]);
    expect(built[0]).not.toBe(built[1]);
    expect(host.typesOf(Regularizer)).toEqual(['constant']);
    expect(host.components(Regularizer)[0].plugin).toBe('test-plugin');
  });

  it('names the registry, the config path and the known types for an unknown type', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    let error: unknown;
    try {
      host.build(Regularizer, { type: 'constnt' }, 'regularizers[1]');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('regularizers[1].type');
    expect(message).toContain("unknown Regularizer type 'constnt'");
    expect(message).toContain('Known Regularizer types: constant');
    expect(message).toContain("Did you mean 'constant'");
  });

  it('rejects options that fail the component schema, naming the path', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    expect(() => host.build(Regularizer, { type: 'constant', value: 'high' }, 'regularizers[0]')).toThrow(
      /regularizers\[0\]\.value: .*number/,
    );
  });

  it('refuses an unknown key of a plain z.object schema, nested ones too, naming the config path and the key meant', () => {
    @injectable()
    class Ramped implements Regularizer {
      static options = z.object({ weight: z.number().default(1), ramp: z.object({ steps: z.number().default(0) }).default({ steps: 0 }) });
      static readonly type = 'ramped';
      readonly type = componentType(this);
      readonly name = 'ramped';
      constructor(@inject(ComponentOptions) readonly options: ComponentOptions<typeof Ramped.options>) {}
      loss(_context: UnsupervisedContext): never {
        throw new Error('not used in this test');
      }
    }
    const host = createPluginHost();
    host.load(definePlugin({ name: 'ramped-plugin', version: '1.0.0', module: new ContainerModule(({ bind }) => provide(bind, Regularizer, Ramped)) }));
    const build = (config: Record<string, unknown>) => host.build(Regularizer, { type: 'ramped', ...config }, 'regularizers[0]') as Ramped;
    expect(() => build({ wieght: 3 })).toThrow("regularizers[0].wieght: unknown key; did you mean 'weight'?");
    expect(() => build({ ramp: { stesp: 5 } })).toThrow("regularizers[0].ramp.stesp: unknown key; did you mean 'steps'?");
    expect(build({ weight: 2, ramp: { steps: 5 } }).options).toEqual({ weight: 2, ramp: { steps: 5 } });
    // the plugin's own schema is left as it wrote it
    expect(Ramped.options.parse({ wieght: 3 })).toEqual({ weight: 1, ramp: { steps: 0 } });
  });

  it('gives a component whose class declares no options schema no options: every key is unknown', () => {
    @injectable()
    class Bare implements Regularizer {
      static readonly type = 'bare';
      readonly type = componentType(this);
      readonly name = 'bare';
      loss(_context: UnsupervisedContext): never {
        throw new Error('not used in this test');
      }
    }
    const host = createPluginHost();
    host.load(definePlugin({ name: 'bare-plugin', version: '1.0.0', module: new ContainerModule(({ bind }) => provide(bind, Regularizer, Bare)) }));
    expect(host.build(Regularizer, { type: 'bare' }, 'regularizers[0]').type).toBe('bare');
    expect(() => host.build(Regularizer, { type: 'bare', weight: 1 }, 'regularizers[0]')).toThrow('regularizers[0].weight: unknown key');
  });

  it('keeps extension points apart: a Regularizer type is not a PseudoLabeler type', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    expect(() => host.build(PseudoLabeler, { type: 'constant' }, 'method.pseudoLabeler')).toThrow(/unknown PseudoLabeler type/);
  });

  it('refuses two plugins registering the same type, naming both', () => {
    const host = createPluginHost();
    host.load(testPlugin);
    const clash = definePlugin({
      name: 'other-plugin',
      version: '0.1.0',
      module: new ContainerModule(({ bind }) => provide(bind, Regularizer, ConstantRegularizer)),
    });
    expect(() => host.load(clash)).toThrow(/registered by both test-plugin and other-plugin/);
    expect(host.typesOf(Regularizer)).toEqual(['constant']);
  });

  it('reports a missing plugin package and a plugin that throws while loading', () => {
    const host = createPluginHost();
    expect(() => host.loadByName('@nobody/ssseg-plugin-missing')).toThrow(PluginError);
    // no registry has a third-party plugin: the error names the steps that work instead of npm install
    expect(() => host.loadByName('@nobody/ssseg-plugin-missing')).toThrow(
      /not installed .*link its folder with 'npx ssseg plugin link \/path\/to\/plugin'.*or name its folder in the config's plugins:/,
    );
    expect(() => host.loadByName('@nobody/ssseg-plugin-missing')).not.toThrow(/npm install/);
    const broken = definePlugin({
      name: 'broken-plugin',
      version: '0.0.1',
      module: new ContainerModule(() => {
        throw new Error('boom');
      }),
    });
    expect(() => host.load(broken)).toThrow(/plugin broken-plugin failed to load: boom/);
  });
});

describe('plugin packages', () => {
  const fs = require('fs') as typeof import('fs');
  const os = require('os') as typeof import('os');
  const path = require('path') as typeof import('path');
  const repoRoot = path.resolve(__dirname, '../../..');

  /** A project folder with one plugin package in node_modules; `body` is its index.js. */
  function project(name: string, coreRange: string, body: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-plugin-'));
    const pkgDir = path.join(dir, 'node_modules', name);
    fs.mkdirSync(pkgDir, { recursive: true });
    fs.mkdirSync(path.join(dir, 'node_modules/@ssseg'), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, 'packages/core'), path.join(dir, 'node_modules/@ssseg/core'));
    fs.symlinkSync(path.join(repoRoot, 'node_modules/inversify'), path.join(dir, 'node_modules/inversify'));
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({
      name, version: '3.1.0', main: 'index.js', ssseg: { plugin: './index.js' }, peerDependencies: { '@ssseg/core': coreRange },
    }));
    fs.writeFileSync(path.join(pkgDir, 'index.js'), body);
    return dir;
  }
  const validBody = `const { ContainerModule } = require('inversify');
    module.exports = require('@ssseg/core').definePlugin({ name: PKG, version: '3.1.0', module: new ContainerModule(() => {}) });`;

  it('refuses a plugin built against an incompatible core major version', () => {
    const dir = project('@acme/old-plugin', '^9.0.0', validBody.replace('PKG', "'@acme/old-plugin'"));
    const host = createPluginHost();
    expect(() => host.discover(dir)).toThrow(/plugin '@acme\/old-plugin'@3\.1\.0 was built for @ssseg\/core \^9\.0\.0, but this is @ssseg\/core 0\.1\.0/);
  });

  it('loads a compatible plugin by discovery and records where it came from', () => {
    const dir = project('@acme/good-plugin', '^0.1.0', validBody.replace('PKG', "'@acme/good-plugin'"));
    const host = createPluginHost();
    expect(host.discover(dir)).toContain('@acme/good-plugin');
    expect(host.plugins()).toContainEqual(expect.objectContaining({ name: '@acme/good-plugin', version: '3.1.0' }));
  });

  it('loads the module that package.json names in ssseg.plugin, not the main', () => {
    const dir = project('@acme/entry-plugin', '^0.1.0', "throw new Error('the main is not the plugin');");
    const pkgDir = path.join(dir, 'node_modules/@acme/entry-plugin');
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ ...pkg, ssseg: { plugin: './lib/plugin.js' } }));
    fs.mkdirSync(path.join(pkgDir, 'lib'));
    fs.writeFileSync(path.join(pkgDir, 'lib/plugin.js'), validBody.replace('PKG', "'@acme/entry-plugin'"));
    const host = createPluginHost();
    expect(host.discover(dir)).toEqual(['@acme/entry-plugin']);
    expect(host.plugins().map((p) => p.name)).toEqual(['@acme/entry-plugin']);
  });

  it('says which file is missing when ssseg.plugin names one that does not exist (an unbuilt plugin)', () => {
    const dir = project('@acme/unbuilt', '^0.1.0', validBody.replace('PKG', "'@acme/unbuilt'"));
    const pkgDir = path.join(dir, 'node_modules/@acme/unbuilt');
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ ...pkg, ssseg: { plugin: './dist/index.js' } }));
    expect(() => createPluginHost().discover(dir)).toThrow(
      /plugin '@acme\/unbuilt': its package.json names "ssseg": \{ "plugin": ".\/dist\/index.js" \}, but .*dist\/index.js does not exist \(is the plugin built\? npm run build in .*@acme\/unbuilt\)/,
    );
  });

  it('definePlugin({ from }) takes the name and version from the package.json at or above the folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-define-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@acme/from-json', version: '4.5.6' }));
    fs.mkdirSync(path.join(dir, 'dist'));
    const plugin = definePlugin({ from: path.join(dir, 'dist'), module: new ContainerModule(() => {}) });
    expect([plugin.name, plugin.version]).toEqual(['@acme/from-json', '4.5.6']);
  });

  it('discovers only in the folder it is given, never in the node_modules of a folder above it', () => {
    const parent = project('@acme/good-plugin', '^0.1.0', validBody.replace('PKG', "'@acme/good-plugin'"));
    const marker = path.join(parent, 'ran');
    fs.mkdirSync(path.join(parent, 'node_modules/evil'), { recursive: true });
    fs.writeFileSync(path.join(parent, 'node_modules/evil/package.json'), JSON.stringify({ name: 'evil', version: '1.0.0', main: 'index.js', ssseg: { plugin: './index.js' } }));
    fs.writeFileSync(path.join(parent, 'node_modules/evil/index.js'), `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');`);
    const child = path.join(parent, 'work', 'deeper');
    fs.mkdirSync(child, { recursive: true });
    const host = createPluginHost();
    expect(host.discover(child)).toEqual([]);
    expect(host.plugins()).toEqual([]);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('loads a plugin package from its folder (no node_modules holds it), by path or as ./path from a folder, recording the folder', () => {
    const dir = project('@acme/folder-plugin', '^0.1.0', validBody.replace('PKG', "'@acme/folder-plugin'"));
    const folder = path.join(dir, 'node_modules/@acme/folder-plugin');
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-elsewhere-'));
    const moved = path.join(elsewhere, 'folder-plugin');
    fs.renameSync(folder, moved);
    fs.symlinkSync(path.join(dir, 'node_modules'), path.join(elsewhere, 'node_modules'));
    const host = createPluginHost();
    host.loadFolder(moved);
    expect(host.plugins()).toEqual([expect.objectContaining({ name: '@acme/folder-plugin', version: '3.1.0', folder: moved })]);
    const relative = createPluginHost();
    relative.loadByName('./folder-plugin', elsewhere);
    expect(relative.plugins()).toEqual([expect.objectContaining({ name: '@acme/folder-plugin', folder: moved })]);
  });

  it('names the folder, and where it was named, when a plugin folder is missing, no package or unbuilt', () => {
    const host = createPluginHost();
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-folder-'));
    expect(() => host.loadByName('../nowhere', path.join(base, 'configs'))).toThrow(
      `plugin folder ${path.join(base, 'nowhere')} (named in plugins: '../nowhere') does not exist`,
    );
    expect(() => host.loadFolder(base, 'package.json')).toThrow(`plugin folder ${base} (named in package.json) has no package.json`);
    fs.writeFileSync(path.join(base, 'package.json'), JSON.stringify({ name: '@acme/unbuilt', version: '1.0.0', main: 'dist/index.js', ssseg: { plugin: './dist/index.js' } }));
    expect(() => host.loadFolder(base)).toThrow(
      `plugin '@acme/unbuilt': its package.json names "ssseg": { "plugin": "./dist/index.js" }, but ${path.join(base, 'dist/index.js')} does not exist (is the plugin built? npm run build in ${base})`,
    );
    expect(host.plugins()).toEqual([]);
  });

  it('reports a plugin that throws while loading, by name', () => {
    const dir = project('@acme/broken', '^0.1.0', "throw new Error('missing native addon');");
    const host = createPluginHost();
    expect(() => host.discover(dir)).toThrow(/plugin '@acme\/broken' threw while loading: missing native addon/);
  });
});

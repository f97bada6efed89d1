import 'reflect-metadata';
import * as fs from 'fs';
import * as path from 'path';
import { Container, type ServiceIdentifier } from 'inversify';
import { ComponentDescriptor, contributionsOf, type SssegPlugin } from './plugin';
import { BuildSubComponent, ComponentOptions } from './tokens';
import { ConfigError, PluginError } from './errors';
import { validateOptions } from './component-options';
import { CORE_VERSION, coreCompatibility } from './version';
import { findPackageJson, type PackageJson } from './package-info';
import { PLUGIN_FOLDER_STEPS, isFolderSpec } from './plugin-spec';

export interface RegisteredComponent extends ComponentDescriptor {
  /** Package (plugin name) that registered it. */
  plugin: string;
  pluginVersion: string;
  /** Where the plugin was loaded from (a path), when known. */
  source?: string;
  /** The folder of the plugin's package, when it was loaded from one. */
  folder?: string;
}

export interface LoadedPlugin {
  name: string;
  version: string;
  source?: string;
  /** The folder of the plugin's package, when it was loaded from one. */
  folder?: string;
}

/** Readable name of an extension-point token: Symbol.for('ssseg.Regularizer') -> 'Regularizer'. */
export function tokenName(token: ServiceIdentifier<unknown>): string {
  if (typeof token === 'symbol') return (token.description ?? 'unknown').replace(/^ssseg\./, '');
  if (typeof token === 'function') return token.name;
  return String(token);
}

/**
 * The plugin host: an inversify container plus the record of which plugin registered which
 * component type for which extension point. Components are built from config dicts by `type`.
 */
export class PluginHost {
  readonly container: Container;
  private readonly registered: RegisteredComponent[] = [];
  private readonly loaded = new Map<string, LoadedPlugin>();

  constructor(container?: Container) {
    this.container = container ?? new Container({ defaultScope: 'Transient' });
  }

  plugins(): LoadedPlugin[] {
    return [...this.loaded.values()];
  }

  /**
   * Loads a plugin object (`folder`: its package's, for `ssseg plugins list`). The same plugin
   * twice is a no-op; a type clash names both plugins.
   */
  load(plugin: SssegPlugin, source?: string, folder?: string): void {
    if (!plugin || typeof plugin.name !== 'string' || !plugin.module) {
      throw new PluginError(
        `${source ?? 'plugin'} does not export a plugin: expected definePlugin({ name, version, module })`,
        source,
      );
    }
    if (this.loaded.has(plugin.name)) return;
    const before = this.descriptors().length;
    try {
      this.container.loadSync(plugin.module);
    } catch (err) {
      throw new PluginError(`plugin ${plugin.name} failed to load: ${(err as Error).message}`, plugin.name);
    }
    const added = this.descriptors().slice(before);
    for (const d of added) {
      const clash = this.registered.find((r) => r.token === d.token && r.type === d.type);
      if (clash) {
        this.container.unloadSync(plugin.module);
        throw new PluginError(
          `${tokenName(d.token)} type '${d.type}' is registered by both ${clash.plugin} and ${plugin.name}; ` +
            `uninstall one of them or rename the type`,
          plugin.name,
        );
      }
    }
    for (const d of added) {
      this.registered.push({ ...d, plugin: plugin.name, pluginVersion: plugin.version, source, folder });
    }
    this.loaded.set(plugin.name, { name: plugin.name, version: plugin.version, source, folder });
  }

  /**
   * Loads a plugin package by name (as a config's `plugins:` list gives it), resolved from
   * `fromDir` (default: the working directory) and then from core's own location; or, for a path
   * (`./x`, `../x`, `/x`), the package in that folder, relative to `fromDir`. The module loaded is
   * the one its package.json names in `ssseg.plugin`, else the package's main.
   */
  loadByName(name: string, fromDir = process.cwd()): void {
    if (isFolderSpec(name)) {
      this.loadFolder(path.resolve(fromDir, name), `plugins: '${name}'`);
      return;
    }
    let resolved: string;
    try {
      resolved = require.resolve(name, { paths: [fromDir, __dirname] });
    } catch {
      throw new PluginError(
        `plugin '${name}' is not installed (looked from ${fromDir}); ${PLUGIN_FOLDER_STEPS}`,
        name,
      );
    }
    const own = ownPackageJson(resolved, name);
    this.loadPackage(name, own, own ? path.resolve(own.dir, own.pkg.main ?? 'index.js') : resolved, true);
  }

  /**
   * Loads the plugin package in `folder` (its package.json's `ssseg.plugin`, else its main), as
   * `ssseg plugin link` and a folder in a config's `plugins:` give it. `origin` says where the
   * folder was named, for the errors.
   */
  loadFolder(folder: string, origin?: string): void {
    const from = origin ? ` (named in ${origin})` : '';
    const file = path.join(folder, 'package.json');
    if (!fs.existsSync(file)) {
      throw new PluginError(`plugin folder ${folder}${from} ${fs.existsSync(folder) ? 'has no package.json' : 'does not exist'}`, folder);
    }
    let pkg: PackageJson;
    try {
      pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new PluginError(`plugin folder ${folder}${from}: ${file} is not valid JSON (${(err as Error).message})`, folder);
    }
    if (typeof pkg?.name !== 'string') throw new PluginError(`plugin folder ${folder}${from}: its package.json has no name`, folder);
    this.loadPackage(pkg.name, { pkg, dir: folder }, resolveOr(folder, path.resolve(folder, pkg.main ?? 'index.js')), false);
  }

  /**
   * Loads a plugin package whose package.json (when found) is `own`: checks its core range, then
   * requires the module `ssseg.plugin` names, else the main, `byName` (through `name`, as the
   * package was resolved) or by path (a folder that is no installed package).
   */
  private loadPackage(name: string, own: { pkg: PackageJson; dir: string } | undefined, main: string, byName: boolean): void {
    const pkg = own?.pkg;
    if (pkg) {
      const { range, compatible } = coreCompatibility(pkg);
      if (!compatible) {
        throw new PluginError(
          `plugin '${name}'@${pkg.version} was built for @ssseg/core ${range}, but this is @ssseg/core ${CORE_VERSION}; ` +
            `install a version of the plugin made for this core`,
          name,
        );
      }
    }
    const entry = own && pkg?.ssseg?.plugin ? path.resolve(own.dir, pkg.ssseg.plugin) : main;
    if ((entry !== main || !byName) && !fs.existsSync(entry)) {
      const named = pkg?.ssseg?.plugin ? `its package.json names "ssseg": { "plugin": "${pkg.ssseg.plugin}" }, but ` : '';
      const folder = own ? ` npm run build in ${own.dir}` : '';
      throw new PluginError(`plugin '${name}': ${named}${entry} does not exist (is the plugin built?${folder})`, name);
    }
    let exported: any;
    try {
      // The main by name, not path: test runners map workspace packages to their sources.
      exported = byName && entry === main ? requireFirst(name, main) : require(entry);
    } catch (err) {
      throw new PluginError(`plugin '${name}' threw while loading: ${(err as Error).message}`, name);
    }
    this.load(findPluginExport(exported) as SssegPlugin, name, own?.dir);
  }

  /**
   * Loads every package in `<rootDir>/node_modules` whose package.json has `ssseg.plugin`. Only
   * that folder: parent folders' node_modules are not searched (which folders are is the caller's
   * choice, see the CLI's pluginFolders).
   */
  discover(rootDir = process.cwd()): string[] {
    const found = pluginPackagesIn(path.join(path.resolve(rootDir), 'node_modules')).sort();
    for (const name of found) this.loadByName(name, rootDir);
    return found;
  }

  components(token?: ServiceIdentifier<unknown>): RegisteredComponent[] {
    return this.registered.filter((r) => token === undefined || r.token === token);
  }

  /** Known type names for an extension point. */
  typesOf(token: ServiceIdentifier<unknown>): string[] {
    return this.components(token).map((c) => c.type).sort();
  }

  /** The registered component for (token, type), or a ConfigError naming the known types. */
  lookup(token: ServiceIdentifier<unknown>, type: unknown, configPath: string): RegisteredComponent {
    const known = this.typesOf(token);
    if (typeof type !== 'string') {
      throw new ConfigError(`expected a 'type' string naming a ${tokenName(token)}; known: ${known.join(', ') || '(none)'}`, configPath);
    }
    const found = this.registered.find((r) => r.token === token && r.type === type);
    if (!found) {
      const near = known.filter((k) => k.startsWith(type.slice(0, 3)) || type.startsWith(k.slice(0, 3)));
      throw new ConfigError(
        `unknown ${tokenName(token)} type '${type}'. Known ${tokenName(token)} types: ${known.join(', ') || '(none)'}.` +
          (near.length ? ` Did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : '') +
          ` A type from another package needs that package installed, linked (npx ssseg plugin link DIR) or named in the config's plugins: list.`,
        `${configPath}.type`,
      );
    }
    return found;
  }

  /**
   * Validates a component's options against its schema made strict (unknown keys are errors,
   * nested objects' too, whatever the plugin wrote); errors name the config path.
   */
  parseOptions(component: RegisteredComponent, config: Record<string, unknown>, configPath: string): Record<string, unknown> {
    const { type: _type, ...rest } = config;
    return validateOptions(component.implementation.options, rest, configPath, `${tokenName(component.token)} '${component.type}'`) as Record<string, unknown>;
  }

  /**
   * Builds the component that `config.type` names for `token`, injecting the validated options as
   * ComponentOptions. `scope` is a container with run-wide services (model, rng, ...) to inject.
   */
  build<T>(token: ServiceIdentifier<T>, config: unknown, configPath: string, scope?: Container): T {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new ConfigError(`expected an object with a 'type' key`, configPath);
    }
    const cfg = config as Record<string, unknown>;
    const component = this.lookup(token, cfg.type, configPath);
    const options = this.parseOptions(component, cfg, configPath);
    const child = new Container({ parent: scope ?? this.container, defaultScope: 'Transient' });
    child.bind(ComponentOptions).toConstantValue(options);
    const buildSub: BuildSubComponent = (subToken, subConfig, key) => this.build(subToken, subConfig, `${configPath}.${key}`, scope);
    child.bind(BuildSubComponent).toConstantValue(buildSub);
    try {
      return child.get(token, { name: component.type }) as T;
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new PluginError(
        `${configPath}: building ${tokenName(token)} '${component.type}' (from ${component.plugin}) failed: ${(err as Error).message}`,
        component.plugin,
      );
    }
  }

  /**
   * Every contribution to `token` (see `contribute`) of the loaded plugins, in load order, built
   * in `scope` (a run's services) or the host's container.
   */
  contributions<T>(token: ServiceIdentifier<T>, scope?: Container): T[] {
    const id = contributionsOf(token);
    const container = scope ?? this.container;
    try {
      return container.getAll(id) as T[];
    } catch (err) {
      throw new PluginError(`building the ${tokenName(token)} contributions failed: ${(err as Error).message}`);
    }
  }

  /** A child container for one run, to bind run-wide services that components inject. */
  createScope(): Container {
    return new Container({ parent: this.container, defaultScope: 'Transient' });
  }

  private descriptors(): ComponentDescriptor[] {
    return this.container.isBound(ComponentDescriptor) ? this.container.getAll(ComponentDescriptor) : [];
  }
}

export function createPluginHost(): PluginHost {
  return new PluginHost();
}

function isPlugin(value: unknown): value is SssegPlugin {
  const v = value as SssegPlugin | undefined;
  return !!v && typeof v === 'object' && typeof v.name === 'string' && typeof v.version === 'string' && !!v.module;
}

/** The plugin a module exports: `default`, `plugin`, the module itself, or its only plugin-shaped export. */
function findPluginExport(exported: any): unknown {
  for (const candidate of [exported?.default, exported?.plugin, exported]) if (isPlugin(candidate)) return candidate;
  const found = Object.values(exported ?? {}).filter(isPlugin);
  return found.length === 1 ? found[0] : undefined;
}

/** Node's resolution of `target` (a folder: its main, with extension or index.js); `otherwise` when it has none. */
function resolveOr(target: string, otherwise: string): string {
  try {
    return require.resolve(target);
  } catch {
    return otherwise;
  }
}

function requireFirst(name: string, resolved: string): unknown {
  try {
    return require(name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${name}'`)) {
      return require(resolved);
    }
    throw err;
  }
}

/** The package.json of the package `name` that contains the resolved entry file. */
function ownPackageJson(entry: string, name: string): { pkg: PackageJson; dir: string } | undefined {
  try {
    return findPackageJson(path.dirname(entry), (pkg) => pkg.name === name);
  } catch (err) {
    throw new PluginError(`plugin '${name}': ${(err as Error).message}`, name);
  }
}

function pluginPackagesIn(nodeModules: string): string[] {
  if (!fs.existsSync(nodeModules)) return [];
  const names: string[] = [];
  const check = (dir: string, name: string) => {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg?.ssseg?.plugin) names.push(name);
    } catch {
      // not a package
    }
  };
  for (const entry of fs.readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(nodeModules, entry);
    if (entry.startsWith('@')) {
      for (const sub of safeReaddir(full)) check(path.join(full, sub), `${entry}/${sub}`);
    } else {
      check(full, entry);
    }
  }
  return names;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

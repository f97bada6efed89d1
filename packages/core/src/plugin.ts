import { ContainerModule, injectable, injectFromBase, type ServiceIdentifier } from 'inversify';
import type { ZodType } from 'zod';
import { packageInfo } from './package-info';

/**
 * A plugin: a name, a version and an inversify module that binds its components to core's
 * tokens as named bindings.
 */
export interface SssegPlugin {
  name: string;
  version: string;
  module: ContainerModule;
  description?: string;
}

/**
 * What a plugin package writes: `from: __dirname`, so its name and version come from its own
 * package.json (written there once), or a name and version for a plugin that is no package.
 */
export type PluginDefinition = { module: ContainerModule; description?: string } & (
  | { from: string }
  | { name: string; version: string }
);

export function definePlugin(definition: PluginDefinition): SssegPlugin {
  if ('from' in definition) {
    const { from, ...rest } = definition;
    return { ...packageInfo(from), ...rest };
  }
  return definition;
}

/** A class that implements a component; its static `options` schema validates the config. */
export interface ComponentClass<T = unknown> {
  new (...args: any[]): T;
  /** The name configs give it (`type: ...`); written once, here. */
  type?: string;
  /**
   * Schema of the options object (the config dict without `type`); defaults filled by it. The host
   * parses it made strict (unknown keys are errors); a class without one takes no options.
   */
  options?: ZodType;
  /** One line for `ssseg plugins list`. */
  summary?: string;
  /**
   * A dataset whose class count is fixed declares it, so commands that need only the model
   * (config print, model summary, export, predict) run without the data on disk.
   */
  numClasses?: number;
  /**
   * A dataset whose validation images all have one size (height = width) says it from its parsed
   * options, so export fits the run's images without the data on disk.
   */
  imageSize?: (options: Record<string, unknown>) => number | undefined;
}

/**
 * Decorates a component class that extends a base class of components (MethodBase,
 * TeacherStudentMethod, ...): injectable, with the base's constructor injections.
 */
export function componentFromBase(): ClassDecorator {
  return (target) => {
    injectFromBase()(target);
    injectable()(target);
  };
}

/** The config `type` of a component: its class's static `type`. */
export function componentType(component: object): string {
  const type = (component.constructor as ComponentClass).type;
  if (typeof type !== 'string') throw new Error(`${component.constructor.name} has no static 'type' (the name configs give it)`);
  return type;
}

/** What `provide` records beside each named binding, so components can be listed and built. */
export interface ComponentDescriptor {
  token: ServiceIdentifier<unknown>;
  type: string;
  implementation: ComponentClass;
}
export const ComponentDescriptor: ServiceIdentifier<ComponentDescriptor> = Symbol.for('ssseg.ComponentDescriptor');

/** The `bind` a ContainerModule's callback receives. */
export type BindFunction = ConstructorParameters<typeof ContainerModule>[0] extends (options: infer O) => unknown
  ? O extends { bind: infer B }
    ? B
    : never
  : never;

/**
 * Binds `implementation` to `token` under the name of its static `type` (the config's `type`
 * key) and records a descriptor for listing. Call it inside a plugin's ContainerModule.
 */
export function provide<T>(bind: BindFunction, token: ServiceIdentifier<T>, implementation: ComponentClass<T>): void {
  const type = implementation.type;
  if (typeof type !== 'string' || !type) {
    throw new Error(`${implementation.name} has no static 'type': give the class the name configs use, e.g. static readonly type = 'my-${implementation.name.toLowerCase()}'`);
  }
  (bind as any)(token).to(implementation).whenNamed(type);
  (bind as any)(ComponentDescriptor).toConstantValue({ token, type, implementation } satisfies ComponentDescriptor);
}

const contributionTokens = new Map<ServiceIdentifier<unknown>, symbol>();

/**
 * The identifier under which `contribute` binds an extension point's contributions: apart from
 * the token itself, whose bindings are named by type (an unnamed binding would answer every name).
 */
export function contributionsOf<T>(token: ServiceIdentifier<T>): ServiceIdentifier<T> {
  let id = contributionTokens.get(token);
  if (!id) {
    const name = typeof token === 'symbol' ? token.description : typeof token === 'function' ? token.name : String(token);
    id = Symbol.for(`${name}#contributions`);
    contributionTokens.set(token, id);
  }
  return id as ServiceIdentifier<T>;
}

/**
 * Adds `implementation` to every use of an extension point that takes any number of
 * contributions (Theia's ContributionProvider): every run's hooks, the CLI's commands. No config
 * names it; whoever uses the point gets all of them (PluginHost.contributions).
 */
export function contribute<T>(bind: BindFunction, token: ServiceIdentifier<T>, implementation: new (...args: any[]) => T): void {
  (bind as any)(contributionsOf(token)).to(implementation);
}

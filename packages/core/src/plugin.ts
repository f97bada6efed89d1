import { ContainerModule, type ServiceIdentifier } from 'inversify';
import type { ZodType } from 'zod';

/**
 * A plugin: a name, a version and an inversify module that binds its components to core's
 * tokens as named bindings. `definePlugin` exists for type inference only.
 */
export interface SsssegPlugin {
  name: string;
  version: string;
  module: ContainerModule;
  description?: string;
}

export function definePlugin(plugin: SsssegPlugin): SsssegPlugin {
  return plugin;
}

/** A class that implements a component; its static `options` schema validates the config. */
export interface ComponentClass<T = unknown> {
  new (...args: any[]): T;
  /** Schema of the options object (the config dict without `type`); defaults filled by it. */
  options?: ZodType;
  /** One line for `ssseg plugins list`. */
  summary?: string;
  /**
   * A dataset whose class count is fixed declares it, so commands that need only the model
   * (config print, model summary, export, predict) run without the data on disk.
   */
  numClasses?: number;
}

/** What `provide` records beside each named binding, so components can be listed and built. */
export interface ComponentDescriptor {
  token: ServiceIdentifier<unknown>;
  type: string;
  implementation: ComponentClass;
}
export const ComponentDescriptor: ServiceIdentifier<ComponentDescriptor> = Symbol.for('ssseg.ComponentDescriptor');

type BindFunction = ConstructorParameters<typeof ContainerModule>[0] extends (options: infer O) => unknown
  ? O extends { bind: infer B }
    ? B
    : never
  : never;

/**
 * Binds `implementation` to `token` under the name `type` (the config's `type` key) and records
 * a descriptor for listing. Call it inside a plugin's ContainerModule.
 */
export function provide<T>(
  bind: BindFunction,
  token: ServiceIdentifier<T>,
  type: string,
  implementation: ComponentClass<T>,
): void {
  (bind as any)(token).to(implementation).whenNamed(type);
  (bind as any)(ComponentDescriptor).toConstantValue({ token, type, implementation } satisfies ComponentDescriptor);
}

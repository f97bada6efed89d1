import type { Container } from 'inversify';
import { ConfigError, Hook, HookPriority, type ComponentConfig, type HookConfig, type PluginHost, type RunConfig } from '@ssseg/core';
import { DEFAULT_HOOK_NAMES } from './default-hooks';

/** One hook a run builds from its config: its name, its type and options, and the priority the config gives it. */
export interface ConfiguredHook {
  name: string;
  /** `SOURCE: hooks.NAME`, where errors point. */
  path: string;
  component: ComponentConfig;
  priority?: number;
}

/** A config's priority (a HookPriority name or a number) as a number. */
function priorityValue(priority: keyof typeof HookPriority | number | undefined): number | undefined {
  return typeof priority === 'string' ? HookPriority[priority] : priority;
}

/**
 * The hooks a run's config asks for, in the order they run at equal priority: the default hooks
 * (less those switched off with `false`, with the config's options), then the hooks it adds by a
 * new name and a `type`. `false` switches off a default hook or one a parent config (extends:) added.
 */
export function configuredHooks(host: PluginHost, config: RunConfig, source: string): ConfiguredHook[] {
  const listed = config.hooks ?? {};
  const entry = (name: string, type: string, override: Exclude<HookConfig, false>): ConfiguredHook => {
    const { type: _type, priority, ...options } = override;
    return { name, path: `${source}: hooks.${name}`, component: { type, ...options }, priority: priorityValue(priority) };
  };
  const defaults = DEFAULT_HOOK_NAMES.filter((name) => listed[name] !== false)
    .map((name) => {
      const override = listed[name] || {};
      return entry(name, override.type ?? name, override);
    });
  const added: ConfiguredHook[] = [];
  for (const [name, override] of Object.entries(listed)) {
    if (DEFAULT_HOOK_NAMES.includes(name)) continue;
    // switching off a hook added under a registered type's name (tensorboard) is not a typo
    if (override === false && host.typesOf(Hook).includes(name)) continue;
    if (override === false || override.type === undefined) {
      throw new ConfigError(
        `a run has no hook named '${name}' (its hooks: ${DEFAULT_HOOK_NAMES.join(', ')}); to add one, give its type: ${name}: { type: ... }`,
        `${source}: hooks.${name}`,
      );
    }
    added.push(entry(name, override.type, override));
  }
  return [...defaults, ...added];
}

/** A hook that runs at `priority` instead of its own, otherwise the same object. */
function withPriority(hook: Hook, priority: number): Hook {
  return new Proxy(hook, { get: (target, key) => (key === 'priority' ? priority : Reflect.get(target, key, target)) });
}

/**
 * Builds a run's hooks in `scope` (its services): the configured ones, each at the config's
 * priority when it gives one, then those plugins contribute to every run. Errors name the config
 * path (`hooks.checkpoint.everySteps`).
 */
export function buildRunHooks(host: PluginHost, config: RunConfig, source: string, scope: Container): Hook[] {
  const built = configuredHooks(host, config, source).map(({ component, path, priority }) => {
    const hook = host.build(Hook, component, path, scope);
    return priority === undefined ? hook : withPriority(hook, priority);
  });
  return [...built, ...host.contributions(Hook, scope)];
}

import type { Hook, HookContext } from '../tokens';

type HookEvent = 'beforeRun' | 'beforeEpoch' | 'beforeStep' | 'afterStep' | 'afterEpoch' | 'afterRun';

/** Hooks in run order: lower priority first; equal priorities keep their registration order. */
export function sortHooks(hooks: readonly Hook[]): Hook[] {
  return hooks.map((hook, index) => ({ hook, index }))
    .sort((a, b) => a.hook.priority - b.hook.priority || a.index - b.index)
    .map((e) => e.hook);
}

/** Calls one lifecycle event on every hook in order; an error names the hook that threw. */
export async function callHooks(hooks: readonly Hook[], event: HookEvent, ctx: HookContext): Promise<void> {
  for (const hook of hooks) {
    const fn = hook[event];
    if (!fn) continue;
    try {
      await fn.call(hook, ctx);
    } catch (err) {
      (err as Error).message = `hook '${hook.type}' failed in ${event}: ${(err as Error).message}`;
      throw err;
    }
  }
}

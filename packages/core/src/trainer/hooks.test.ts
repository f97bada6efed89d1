import { callHooks, sortHooks } from './hooks';
import { PeriodicHook, type HookSchedule } from './periodic';
import { createRunState } from './run-state';
import type { Hook, HookContext } from '../tokens';

/** Records the epoch or step of each action. */
class Recorder extends PeriodicHook {
  readonly type = 'eval';
  readonly priority = 70;
  readonly ran: number[] = [];

  constructor(schedule: HookSchedule, private readonly record: (ctx: HookContext) => number) {
    super(schedule);
  }

  protected action(ctx: HookContext): void {
    this.ran.push(this.record(ctx));
  }
}

function context(overrides: Partial<HookContext> = {}): HookContext {
  return { epoch: 0, step: 0, totalSteps: 10, logs: {}, stop: () => undefined, state: createRunState(), ...overrides };
}

describe('hooks', () => {
  it('sorts by priority, keeping registration order for ties, and names a failing hook', async () => {
    const order: string[] = [];
    const mk = (type: string, priority: number, fail = false): Hook => ({
      type, priority, beforeRun: () => {
        if (fail) throw new Error('disk full');
        order.push(type);
      },
    });
    const hooks = sortHooks([mk('checkpoint', 90), mk('ema', 10), mk('lr', 20), mk('ema2', 10)]);
    await callHooks(hooks, 'beforeRun', context());
    expect(order).toEqual(['ema', 'ema2', 'lr', 'checkpoint']);
    await expect(callHooks([mk('writer', 1, true)], 'beforeRun', context())).rejects.toThrow("hook 'writer' failed in beforeRun: disk full");
  });

  it('runs an epoch action every n epochs, at the last epoch, and once at the end of a run cut mid-epoch', async () => {
    const hook = new Recorder({ unit: 'epoch', every: 2 }, (ctx) => ctx.epoch);
    const ran = hook.ran;
    for (let epoch = 0; epoch < 5; epoch++) await hook.afterEpoch(context({ epoch, step: (epoch + 1) * 2, totalSteps: 10 }));
    expect(ran).toEqual([1, 3, 4]);
    await hook.afterRun(context({ epoch: 4, step: 10 }));
    expect(ran).toEqual([1, 3, 4]);
    await hook.afterRun(context({ epoch: 5, step: 11 }));
    expect(ran).toEqual([1, 3, 4, 5]);
    await hook.afterRun(context({ epoch: 6, step: 12, state: createRunState({ failed: true }) }));
    expect(ran).toHaveLength(4);
  });

  it('runs a step action every n steps and once more at an end between them', async () => {
    const hook = new Recorder({ unit: 'step', every: 3 }, (ctx) => ctx.step);
    const ran = hook.ran;
    for (let step = 1; step <= 7; step++) await hook.afterStep(context({ step }));
    await hook.afterRun(context({ step: 7 }));
    expect(ran).toEqual([3, 6, 7]);
    await hook.afterRun(context({ step: 7 }));
    expect(ran).toEqual([3, 6, 7]);
    // the other unit's event does nothing
    await hook.afterEpoch(context({ epoch: 0, step: 9 }));
    expect(ran).toEqual([3, 6, 7]);
  });
});

import { createRunState, type HookContext, type RunState } from '@ssseg/core';
import type { RunSession } from '../run-session';
import { ProgressHook } from './progress';
import type { ProgressSink, RunProgress } from './progress-sink';

/** A sink that keeps every report. */
function recordingSink(): ProgressSink & { seen: RunProgress[]; started: RunProgress[] } {
  const seen: RunProgress[] = [], started: RunProgress[] = [];
  return { seen, started, start: (p) => void started.push(p), step: (p) => void seen.push(p) };
}

function hookWith(sink: ProgressSink): ProgressHook {
  const session = { presentation: { label: 'run', quiet: true, stopOnSignals: false, progressSinks: [sink] } } as unknown as RunSession;
  return new ProgressHook({ everySeconds: 10 }, session);
}

const context = (step: number, state: RunState): HookContext =>
  ({ step, totalSteps: 1200, epoch: 0, logs: { loss: 1.5 }, stop: () => undefined, state });

describe('the progress hook', () => {
  afterEach(() => jest.useRealTimers());

  it("estimates a resumed run's time left from this process's pace, and counts the time before it in the time trained", async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sink = recordingSink();
    const hook = hookWith(sink);
    // 300 steps trained in 900 s before the checkpoint this process resumed from
    const state = createRunState({ clock: { secondsBefore: 900, startedAt: 1_000_000 } });
    hook.beforeRun(context(300, state));
    expect(sink.started).toEqual([expect.objectContaining({ step: 300, trainedSeconds: 900, secondsLeft: null })]);
    for (let step = 301; step <= 340; step++) {
      jest.setSystemTime(1_000_000 + (step - 300) * 2000); // 2 s a step since the resume
      await hook.afterStep(context(step, state));
    }
    // 40 steps in 80 s here, 860 to go at 2 s each; counting the 300 earlier steps as trained in
    // those 80 s would say 860 * 80 / 340 = 202 s
    expect(sink.seen.at(-1)).toMatchObject({ step: 340, trainedSeconds: 980, secondsLeft: 1720 });
  });

  it('reports to every sink, waiting for each', async () => {
    const order: string[] = [];
    const slow: ProgressSink = { step: async (p) => { await new Promise((r) => setTimeout(r, 5)); order.push(`slow ${p.step}`); } };
    const fast: ProgressSink = { step: (p) => void order.push(`fast ${p.step}`) };
    const session = { presentation: { label: 'run', quiet: true, stopOnSignals: false, progressSinks: [slow, fast] } } as unknown as RunSession;
    const hook = new ProgressHook({ everySeconds: 10 }, session);
    const state = createRunState();
    hook.beforeRun(context(0, state));
    await hook.afterStep(context(1, state));
    await hook.afterStep(context(2, state));
    expect(order).toEqual(['slow 1', 'fast 1', 'slow 2', 'fast 2']);
  });
});

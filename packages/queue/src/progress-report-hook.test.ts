import type { HookContext } from '@ssseg/core';
import { ProgressReportHook, type RunProgress } from './progress-report-hook';

const context = (step: number): HookContext => ({ epoch: 0, step, totalSteps: 8, logs: {}, stop: () => undefined, state: {} });

describe("the queue's progress hook", () => {
  it('reports the step and the total at the start and then at most once per interval', async () => {
    const reports: RunProgress[] = [];
    const hook = new ProgressReportHook(async (p) => void reports.push(p), 60_000);
    hook.beforeRun(context(3)); // a resumed run starts at its checkpoint's step
    for (let step = 4; step <= 8; step++) await hook.afterStep(context(step));
    expect(reports).toEqual([{ step: 3, total: 8 }]);
    const every = new ProgressReportHook(async (p) => void reports.push(p), 0);
    for (let step = 1; step <= 2; step++) await every.afterStep(context(step));
    expect(reports.slice(1)).toEqual([{ step: 1, total: 8 }, { step: 2, total: 8 }]);
  });

  it('gives the event loop a turn after every step (BullMQ renews the job lock then), and a failed report does not stop the run', async () => {
    const hook = new ProgressReportHook(() => Promise.reject(new Error('redis went away')), 0);
    for (let step = 1; step <= 3; step++) {
      let turned = false;
      setImmediate(() => (turned = true));
      // resolved by microtasks alone, the step would end before this callback ran
      await hook.afterStep(context(step));
      expect(turned).toBe(true);
    }
  });
});

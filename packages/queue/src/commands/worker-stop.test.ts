import { WorkerStop } from './worker-stop';

function stopper(active: string[]) {
  const calls = { close: 0, exit: [] as number[], lines: [] as string[] };
  const stop = new WorkerStop({
    close: () => void calls.close++,
    activeRuns: () => active,
    write: (line) => void calls.lines.push(line),
    exit: (code) => void calls.exit.push(code),
  });
  return { stop, calls };
}

describe('a worker told to stop', () => {
  it('finishes the run under way on the first SIGTERM, checkpoints it on the second, exits on the third', () => {
    const { stop, calls } = stopper(['cmp-fixmatch+none/1_64/seed1']);
    stop.onSignal('SIGTERM');
    expect(calls.close).toBe(1);
    expect(stop.stopRunNow).toBe(false);
    expect(calls.lines[0]).toBe('worker: SIGTERM: no new runs; the run under way (cmp-fixmatch+none/1_64/seed1) finishes, then it exits (SIGTERM again: checkpoint it now and exit)');
    stop.onSignal('SIGTERM');
    expect(stop.stopRunNow).toBe(true);
    expect(calls.close).toBe(1);
    expect(calls.exit).toEqual([]);
    expect(calls.lines[1]).toMatch(/^worker: SIGTERM again: the run under way stops after this step, writes its checkpoint and goes back to the queue/);
    stop.onSignal('SIGTERM');
    expect(calls.exit).toEqual([143]);
  });

  it('says when no run is under way, and exits 130 on a third Ctrl-C', () => {
    const { stop, calls } = stopper([]);
    stop.onSignal('SIGINT');
    expect(calls.lines[0]).toBe('worker: SIGINT: no new runs; no run is under way, then it exits (SIGINT again: checkpoint it now and exit)');
    stop.onSignal('SIGINT');
    stop.onSignal('SIGINT');
    expect(calls.exit).toEqual([130]);
  });

  it('drains like a first SIGTERM, once, and a drain after a signal changes nothing', () => {
    const { stop, calls } = stopper(['r1']);
    stop.onSignal('drain');
    stop.onSignal('drain');
    expect(calls.close).toBe(1);
    expect(calls.lines).toEqual(['worker: asked to drain (ssseg queue drain): no new runs; the run under way (r1) finishes, then it exits']);
    stop.onSignal('SIGTERM');
    expect(stop.stopRunNow).toBe(true);
  });
});

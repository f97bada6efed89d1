/**
 * What `ssseg worker` does on SIGTERM or Ctrl-C: the first takes no new run and lets the run
 * under way finish; the second stops that run after its step, writes its checkpoint and puts it
 * back in the queue; a third exits at once (the run resumes from its last checkpoint).
 */
export class WorkerStop {
  private signals = 0;
  /** Read by the run after every step (WorkerOptions.stopRequested). */
  stopRunNow = false;

  constructor(
    private readonly actions: {
      /** Stop taking jobs and resolve once the runs under way have ended. */
      close(): void;
      /** The ids of the runs under way, for the message. */
      activeRuns(): string[];
      write(line: string): void;
      exit(code: number): void;
    },
  ) {}

  /** Called for each SIGTERM / SIGINT, and for a drain request (`ssseg queue drain`). */
  readonly onSignal = (signal: NodeJS.Signals | 'drain'): void => {
    if (signal === 'drain') {
      if (this.signals > 0) return;
      this.signals = 1;
      this.actions.write(`worker: asked to drain (ssseg queue drain): no new runs; ${this.underWay()}, then it exits`);
      this.actions.close();
      return;
    }
    this.signals++;
    if (this.signals === 1) {
      this.actions.write(`worker: ${signal}: no new runs; ${this.underWay()}, then it exits (${signal} again: checkpoint it now and exit)`);
      this.actions.close();
    } else if (this.signals === 2) {
      this.stopRunNow = true;
      this.actions.write(`worker: ${signal} again: the run under way stops after this step, writes its checkpoint and goes back to the queue (${signal} a third time: exit at once)`);
    } else {
      this.actions.write(`worker: ${signal} a third time: exiting now; the run continues from its last checkpoint on the next worker`);
      this.actions.exit(signal === 'SIGINT' ? 130 : 143);
    }
  };

  private underWay(): string {
    const runs = this.actions.activeRuns();
    return runs.length ? `the run under way (${runs.join(', ')}) finishes` : 'no run is under way';
  }
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, HookPriority, PeriodicHook, componentType, runFile, trainedSeconds, type Hook, type HookContext, type HookSchedule } from '@ssseg/core';
import { NonFiniteCheckpointError, saveCheckpoint, type RunPosition } from '../checkpoint';
import { RunSession } from '../run-session';
import { evaluationSchedule } from './evaluation';

const options = z.strictObject({
  /** A checkpoint every N epochs when the run evaluates by epoch (default `train.checkpointEvery`). */
  everyEpochs: z.number().int().positive().optional(),
  /** Also one every N optimizer steps, so a crash loses at most N (default `train.checkpointEverySteps`). */
  everySteps: z.number().int().positive().optional(),
});

/**
 * Writes last.ckpt (and best.ckpt when an evaluation beat the best) with where the run stands and
 * its training time so far. A state that is not finite writes nothing and stops the run as diverged.
 */
function writeCheckpoint(session: RunSession, ctx: HookContext): void {
  const { run, loader, state, parts, config, outDir } = session;
  if (state.checkpointedAt === ctx.step) return;
  const at: RunPosition = {
    step: ctx.step,
    // a run cut mid-epoch resumes inside that epoch
    epoch: ctx.step % loader.stepsPerEpoch === 0 ? ctx.epoch + 1 : ctx.epoch,
    rng: run.rng.state(),
    loader: loader.state(),
    bestMiou: state.bestMiou,
    lastMiou: state.finalMiou,
    trainedSeconds: trainedSeconds(state.clock),
  };
  try {
    // best before last: a kill between the two leaves last.ckpt older, and the resumed run
    // evaluates that step again and rewrites best.ckpt, so DONE, best and last always agree
    if (state.improvedSinceCheckpoint) saveCheckpoint(runFile(outDir, 'best'), parts, at, { config, miou: state.bestMiou });
    saveCheckpoint(runFile(outDir, 'last'), parts, at, { config });
  } catch (error) {
    if (!(error instanceof NonFiniteCheckpointError)) throw error;
    state.diverged = error.message;
    ctx.stop(`the run diverged by step ${ctx.step}: ${error.tensor} holds ${error.value}, so ${error.file} was not written`);
    return;
  }
  state.improvedSinceCheckpoint = false;
  state.checkpointedAt = ctx.step;
  state.lastCheckpoint = runFile(outDir, 'last');
}

/** One of the checkpoint hook's schedules, written at the end and on interruption too. */
class ScheduledCheckpoint extends PeriodicHook {
  readonly type = 'checkpoint';
  readonly priority = HookPriority.VERY_LOW;

  constructor(schedule: HookSchedule, private readonly session: RunSession) {
    super(schedule, true);
  }

  protected action(ctx: HookContext): void {
    writeCheckpoint(this.session, ctx);
  }
}

/**
 * The run's checkpoints: after each evaluation's schedule point (every `everyEpochs` epochs, or
 * with `train.evalEverySteps` at every evaluation), every `everySteps` steps, at the end and on
 * interruption. Writing one changes no number of the run.
 */
@injectable()
export class CheckpointHook implements Hook {
  static readonly type = 'checkpoint';
  static options = options;
  static summary = 'last.ckpt and best.ckpt at evaluations, every N steps, at the end and on interruption';
  readonly type = componentType(this);
  readonly priority = HookPriority.VERY_LOW;
  private readonly schedules: ScheduledCheckpoint[];

  constructor(@inject(ComponentOptions) opts: ComponentOptions<typeof CheckpointHook.options>, @inject(RunSession) session: RunSession) {
    const { train } = session.config;
    this.schedules = [
      new ScheduledCheckpoint(evaluationSchedule(train, opts.everyEpochs ?? train.checkpointEvery), session),
      new ScheduledCheckpoint({ unit: 'step', every: opts.everySteps ?? train.checkpointEverySteps }, session),
    ];
  }

  beforeRun(ctx: HookContext): void {
    for (const s of this.schedules) s.beforeRun(ctx);
  }

  async afterStep(ctx: HookContext): Promise<void> {
    for (const s of this.schedules) await s.afterStep(ctx);
  }

  async afterEpoch(ctx: HookContext): Promise<void> {
    for (const s of this.schedules) await s.afterEpoch(ctx);
  }

  async afterRun(ctx: HookContext): Promise<void> {
    for (const s of this.schedules) await s.afterRun(ctx);
  }
}

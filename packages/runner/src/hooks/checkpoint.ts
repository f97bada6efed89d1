import { inject, injectable } from 'inversify';
import { HookPriority, PeriodicHook, runFile, type HookContext } from '@ssseg/core';
import { NonFiniteCheckpointError, saveCheckpoint, type RunPosition } from '../checkpoint';
import { RunSession } from '../run-session';
import { evaluationSchedule } from './evaluation';

/**
 * Writes last.ckpt (and best.ckpt when an evaluation beat the best) with where the run stands.
 * A state that is not finite writes nothing and stops the run as diverged.
 */
function writeCheckpoint(session: RunSession, ctx: HookContext): void {
  const { run, loader, record, parts, config, outDir } = session;
  if (record.checkpointedAt === ctx.step) return;
  const at: RunPosition = {
    step: ctx.step,
    // a run cut mid-epoch resumes inside that epoch
    epoch: ctx.step % loader.stepsPerEpoch === 0 ? ctx.epoch + 1 : ctx.epoch,
    rng: run.rng.state(),
    loader: loader.state(),
    bestMiou: record.bestMiou,
    lastMiou: record.finalMiou,
  };
  try {
    // best before last: a kill between the two leaves last.ckpt older, and the resumed run
    // evaluates that step again and rewrites best.ckpt, so DONE, best and last always agree
    if (record.improvedSinceCheckpoint) saveCheckpoint(runFile(outDir, 'best'), parts, at, { config, miou: record.bestMiou });
    saveCheckpoint(runFile(outDir, 'last'), parts, at, { config });
  } catch (error) {
    if (!(error instanceof NonFiniteCheckpointError)) throw error;
    ctx.state.diverged = error.message;
    ctx.stop(`the run diverged by step ${ctx.step}: ${error.tensor} holds ${error.value}, so ${error.file} was not written`);
    return;
  }
  record.improvedSinceCheckpoint = false;
  record.checkpointedAt = ctx.step;
  record.lastCheckpoint = runFile(outDir, 'last');
}

/** A checkpoint after every evaluation's schedule point (`train.checkpointEvery`), at the end and on interruption. */
@injectable()
export class CheckpointHook extends PeriodicHook {
  readonly type = 'checkpoint';
  readonly priority = HookPriority.VERY_LOW;

  constructor(@inject(RunSession) private readonly session: RunSession) {
    super(evaluationSchedule(session.config.train, session.config.train.checkpointEvery), true);
  }

  protected action(ctx: HookContext): void {
    writeCheckpoint(this.session, ctx);
  }
}

/** Also a checkpoint every `train.checkpointEverySteps` steps, so a crash loses at most that many. */
@injectable()
export class StepCheckpointHook extends PeriodicHook {
  readonly type = 'step-checkpoint';
  readonly priority = HookPriority.VERY_LOW;

  constructor(@inject(RunSession) private readonly session: RunSession) {
    super({ unit: 'step', every: session.config.train.checkpointEverySteps }, true);
  }

  protected action(ctx: HookContext): void {
    writeCheckpoint(this.session, ctx);
  }
}

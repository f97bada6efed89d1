import * as fs from 'fs';
import YAML from 'yaml';
import { initEngine } from '@ssseg/engine';
import {
  Hook, MetricsWriter, RunFolder, Trainer, createRunState, galleryFolder, loadRunConfig, lockFolder, removeTemporaryFiles, runFile,
  trainedPartsOf, trainedSeconds, writeDoneMarker, writeFileAtomic, type DoneMarker, type PluginHost, type RunConfig, type RunLoaderFactory,
} from '@ssseg/core';
import { assembleRun } from './assemble';
import { CannotResumeError } from './cannot-resume-error';
import { checkStepMemory } from './memory/memory-check';
import { loadCheckpoint, type RunPosition } from './checkpoint';
import { createHost } from './host';
import { reportDiskFull } from './disk-full-report';
import { runDataLoader } from './data-loader';
import { runParamGroups } from './param-groups';
import { buildOptimization } from './optimization';
import { runnerPlugin } from './plugin';
import { decideResume, type ExistingRun } from './existing-run';
import { folderCreation } from './created-folder';
import { RunSession } from './run-session';
import { buildRunHooks, configuredHooks } from './run-hooks';
import type { ProgressSink } from './hooks/progress-sink';

export interface RunnerOptions {
  /** The run folder. */
  out: string;
  /** Where the config came from, for error messages (default: 'config'). */
  source?: string;
  /**
   * What to do with a run already in `out` (default 'refuse'). Whatever is chosen, the folder
   * is locked for the run's duration: a second writer fails at once.
   */
  existing?: ExistingRun;
  /** The plugin host (default: createHost with the config's plugins). */
  host?: PluginHost;
  /** The data loader (default: the datasets package's, as the config and method call for). */
  createLoader?: RunLoaderFactory;
  /** Hooks of this caller, run with the run's own and the config's (the queue worker's stop request). */
  hooks?: Hook[];
  /** Where the run's progress hook reports besides the terminal line (the queue's progress reports). */
  progressSinks?: ProgressSink[];
  /** Prefix of progress lines; progress goes to stderr. Set `quiet` to silence it. */
  label?: string;
  quiet?: boolean;
  /** Stop (as an interruption would) after this many optimizer steps, keeping the schedule of the full run. */
  stopAfterSteps?: number;
  /** On SIGINT/SIGTERM, finish the step, write the checkpoint and stop (the CLI's commands). */
  stopOnSignals?: boolean;
  /** Who holds the folder's lock, as a second writer is told (default 'ssseg train'). */
  lockPurpose?: string;
}

/** How a run ended: what DONE holds (written only when it ended normally), and how it stopped otherwise. */
export interface RunResult extends DoneMarker {
  outDir: string;
  failed: boolean;
  stoppedBecause?: string;
  /** The signal (or 'stopAfterSteps') that stopped the run early; its checkpoint was written. */
  interrupted?: string;
  /** The step this run continued from, when it resumed. */
  resumedFrom: number | null;
  /** The newest checkpoint on disk (all finite), or null if none was written. */
  lastCheckpoint: string | null;
}

/**
 * One training run from a validated config: builds the components through the plugin host,
 * trains with the run's hooks (the runner's own, the config's `hooks:` and the caller's) and
 * writes the run folder: config.yaml, metrics.jsonl, last.ckpt, best.ckpt, the gallery and, when
 * it ends normally, DONE. Resuming continues from last.ckpt with the same weights, optimizer
 * state, RNG state and data position, so the run ends as it would have uninterrupted. A run whose
 * loss or state stops being finite fails without writing it.
 */
export class Runner {
  private constructor(private readonly config: RunConfig, private readonly options: RunnerOptions) {}

  /** A run of `config` into `options.out`. */
  static fromConfig(config: RunConfig, options: RunnerOptions): Runner {
    return new Runner(config, options);
  }

  async run(): Promise<RunResult> {
    // a run that fails before writing anything (a config error) leaves no folder it made behind
    const created = folderCreation(this.options.out);
    const lock = lockFolder(this.options.out, this.options.lockPurpose ?? 'ssseg train', {
      onTakeOver: (message) => process.stderr.write(`${message}\n`),
    });
    let failed = true;
    try {
      const result = await this.runLocked();
      failed = false;
      return result;
    } finally {
      lock.release();
      if (failed) created.undo();
    }
  }

  private async runLocked(): Promise<RunResult> {
    const started = Date.now();
    const { config, options } = this;
    const outDir = options.out;
    const source = options.source ?? 'config';
    const resume = decideResume(outDir, options.existing ?? 'refuse', options.source);
    await initEngine({ backend: config.engine.backend, threads: config.engine.threads, verbose: !options.quiet });
    const host = options.host ?? createHost({ plugins: config.plugins });
    host.load(runnerPlugin);
    const createLoader = options.createLoader ?? runDataLoader(host);
    // before the run is built and before anything in the folder changes
    await checkStepMemory(host, config, source, createLoader);
    const run = assembleRun(host, config, source);
    if (!options.quiet) for (const line of run.model.pretrainedNotes ?? []) process.stderr.write(`${line}\n`);
    const loader = createLoader(run);
    const { optimizer, schedule } = buildOptimization(host, config, source, run.scope);
    const teacherModel = run.teacher && run.teacher.model() !== run.model ? run.teacher.model() : undefined;
    const parts = { model: run.model, teacher: teacherModel, trained: trainedPartsOf(run.method), method: run.method, optimizer, evaluated: run.method.evalModel() };
    const dispose = () => {
      run.method.dispose?.();
      run.teacher?.dispose();
      run.model.dispose();
      optimizer.dispose();
    };

    run.scope.bind(RunFolder).toConstantValue(outDir);
    let position: RunPosition = { step: 0, epoch: 0, rng: run.rng.state(), loader: loader.state(), bestMiou: null, lastMiou: null };
    try {
      // before anything in the folder changes: a hook's bad options or name leave it as it was
      // (the hooks are built once the run's session is bound, below)
      for (const { component, path: configPath } of configuredHooks(host, config, source)) host.parseOptions(host.lookup(Hook, component.type, configPath), component, configPath);
      if (resume) {
        // read before anything in the folder changes: a checkpoint that does not load leaves it as it was
        const last = runFile(outDir, 'last');
        try {
          position = loadCheckpoint(last, parts, () => `copy it over ${last} to resume from it`).position;
          run.rng.restore(position.rng);
          loader.restore(position.loader);
        } catch (error) {
          throw CannotResumeError.from(error, last);
        }
      }
    } catch (error) {
      dispose();
      throw error;
    }
    removeTemporaryFiles(outDir);
    const metrics = new MetricsWriter(runFile(outDir, 'metrics'));
    if (resume) {
      metrics.truncateAfter(position.step);
    } else {
      for (const name of ['metrics', 'last', 'best', 'done'] as const) fs.rmSync(runFile(outDir, name), { force: true });
      fs.rmSync(galleryFolder(outDir), { recursive: true, force: true });
    }
    const state = createRunState({
      bestMiou: position.bestMiou,
      finalMiou: position.lastMiou ?? null,
      checkpointedAt: resume ? position.step : -1,
      lastCheckpoint: resume ? runFile(outDir, 'last') : null,
      // the time between the last checkpoint and the end of the process before is not known: not counted
      clock: { secondsBefore: position.trainedSeconds ?? 0, startedAt: started },
    });
    try {
      writeFileAtomic(runFile(outDir, 'config'), YAML.stringify(config));
    } catch (error) {
      dispose();
      throw reportDiskFull(error, state, outDir);
    }
    const session: RunSession = {
      config, source, outDir, run, loader, metrics, parts, state,
      resumedAt: resume ? position.step : null,
      presentation: {
        label: options.label ?? 'train', quiet: options.quiet ?? false, stopOnSignals: options.stopOnSignals ?? false, stopAfterSteps: options.stopAfterSteps,
        progressSinks: options.progressSinks ?? [],
      },
    };
    run.scope.bind(RunSession).toConstantValue(session);
    let hooks: Hook[] = [];
    try {
      hooks = [...buildRunHooks(host, config, source, run.scope), ...(options.hooks ?? [])];
      const trainer: Trainer = new Trainer({
        method: run.method,
        model: run.model,
        optimizer,
        paramGroups: runParamGroups(run.model, run.method, config.train.optimizer.headLrMultiplier),
        epochBatches: (epoch) => loader.epoch(epoch),
        epochs: config.train.epochs,
        stepsPerEpoch: loader.stepsPerEpoch,
        maxSteps: config.train.maxSteps,
        learningRate: (step): number => schedule.rate(config.train.lr, step, trainer.totalSteps),
        hooks,
        rng: run.rng,
        start: { epoch: position.epoch, step: position.step },
        state,
      });
      const result = await trainer.run();
      const failed = result.failed || state.diverged !== undefined;
      const interrupted = failed ? undefined : state.interrupted;
      const wallSeconds = trainedSeconds(state.clock);
      const { finalMiou, bestMiou } = state;
      metrics.write({
        event: 'end', step: result.steps, epoch: result.epochs, time: Date.now(), wallSeconds, finalMiou, bestMiou,
        failed, stoppedBecause: result.stoppedBecause ?? null,
      });
      if (!failed && !interrupted) {
        writeDoneMarker(outDir, { steps: result.steps, finalMiou, bestMiou, wallSeconds });
      }
      return {
        outDir, steps: result.steps, finalMiou, bestMiou, failed, stoppedBecause: result.stoppedBecause, interrupted,
        resumedFrom: session.resumedAt, lastCheckpoint: state.lastCheckpoint, wallSeconds,
      };
    } catch (error) {
      throw reportDiskFull(error, state, outDir);
    } finally {
      for (const hook of hooks) hook.dispose?.();
      dispose();
    }
  }
}

import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { initEngine } from '@ssseg/engine';
import {
  Hook, MetricsWriter, RunFolder, SssegError, Trainer, loadRunConfig, lockFolder, writeFileAtomic, type PluginHost,
  type RunConfig, type RunLoaderFactory,
} from '@ssseg/core';
import { assembleRun } from './assemble';
import { checkStepMemory } from './memory/memory-check';
import { loadCheckpoint, type RunPosition } from './checkpoint';
import { GALLERY_FOLDER } from '@ssseg/report';
import { createHost } from './host';
import { reportDiskFull } from './disk-full-report';
import { runDataLoader } from './data-loader';
import { paramGroups } from './param-groups';
import { buildOptimization } from './optimization';
import { runnerPlugin } from './plugin';
import { decideResume, removeTemporaryFiles, type ExistingRun } from './run-folder';
import { folderCreation } from './created-folder';
import { RunSession, runFile, type RunRecord } from './run-session';

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
  /** Hooks of this caller, run with the run's own and the config's (the queue's progress reports). */
  hooks?: Hook[];
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

export interface RunResult {
  outDir: string;
  steps: number;
  finalMiou: number | null;
  bestMiou: number | null;
  failed: boolean;
  stoppedBecause?: string;
  /** The signal (or 'stopAfterSteps') that stopped the run early; its checkpoint was written. */
  interrupted?: string;
  /** The step this run continued from, when it resumed. */
  resumedFrom: number | null;
  /** The newest checkpoint on disk (all finite), or null if none was written. */
  lastCheckpoint: string | null;
  wallSeconds: number;
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

  /** Continues the unfinished run in `dir` from its last checkpoint, with the config it was started with. */
  static resume(dir: string, options: Omit<RunnerOptions, 'out' | 'existing'> = {}): Runner {
    const source = runFile(dir, 'config');
    return new Runner(loadRunConfig(source), { source, ...options, out: dir, existing: 'resume' });
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
    const parts = { model: run.model, teacher: teacherModel, optimizer, evaluated: run.method.evalModel() };
    const dispose = () => {
      run.teacher?.dispose();
      run.model.dispose();
      optimizer.dispose();
    };

    run.scope.bind(RunFolder).toConstantValue(outDir);
    let position: RunPosition = { step: 0, epoch: 0, rng: run.rng.state(), loader: loader.state(), bestMiou: null, lastMiou: null };
    let configHooks: Hook[];
    try {
      // before anything in the folder changes: a hook's bad options leave it as it was
      configHooks = (config.hooks ?? []).map((h, i) => host.build(Hook, h, `${source}: hooks[${i}]`, run.scope));
      if (resume) {
        // read before anything in the folder changes: a checkpoint that does not load leaves it as it was
        const last = runFile(outDir, 'last');
        position = loadCheckpoint(last, parts, () => `copy it over ${last} to resume from it`).position;
        run.rng.restore(position.rng);
        loader.restore(position.loader);
      }
    } catch (error) {
      dispose();
      if (error instanceof SssegError) throw error;
      throw new SssegError(`cannot resume from this checkpoint, so nothing was changed: ${(error as Error).message}`, runFile(outDir, 'last'));
    }
    removeTemporaryFiles(outDir);
    const metrics = new MetricsWriter(runFile(outDir, 'metrics'));
    if (resume) {
      metrics.truncateAfter(position.step);
    } else {
      for (const name of ['metrics', 'last', 'best', 'done'] as const) fs.rmSync(runFile(outDir, name), { force: true });
      fs.rmSync(path.join(outDir, GALLERY_FOLDER), { recursive: true, force: true });
    }
    const record: RunRecord = {
      bestMiou: position.bestMiou,
      finalMiou: position.lastMiou ?? null,
      improvedSinceCheckpoint: false,
      checkpointedAt: resume ? position.step : -1,
      lastCheckpoint: resume ? runFile(outDir, 'last') : null,
    };
    try {
      writeFileAtomic(runFile(outDir, 'config'), YAML.stringify(config));
    } catch (error) {
      dispose();
      throw reportDiskFull(error, record, outDir);
    }
    const session: RunSession = {
      config, source, outDir, run, loader, metrics, parts, record,
      resumedAt: resume ? position.step : null,
      presentation: {
        label: options.label ?? 'train', quiet: options.quiet ?? false, stopOnSignals: options.stopOnSignals ?? false, stopAfterSteps: options.stopAfterSteps,
      },
    };
    run.scope.bind(RunSession).toConstantValue(session);
    let hooks: Hook[] = configHooks;
    const state: Record<string, unknown> = {};
    try {
      hooks = [...host.contributions(Hook, run.scope), ...configHooks, ...(options.hooks ?? [])];
      const trainer: Trainer = new Trainer({
        method: run.method,
        model: run.model,
        optimizer,
        paramGroups: paramGroups(run.model, config.train.optimizer.headLrMultiplier),
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
      const interrupted = failed ? undefined : (state.interrupted as string | undefined);
      const wallSeconds = (Date.now() - started) / 1000;
      const { finalMiou, bestMiou } = record;
      metrics.write({
        event: 'end', step: result.steps, epoch: result.epochs, time: Date.now(), wallSeconds, finalMiou, bestMiou,
        failed, stoppedBecause: result.stoppedBecause ?? null,
      });
      if (!failed && !interrupted) {
        writeFileAtomic(runFile(outDir, 'done'), JSON.stringify({ steps: result.steps, finalMiou, bestMiou, wallSeconds }, null, 2) + '\n');
      }
      return {
        outDir, steps: result.steps, finalMiou, bestMiou, failed, stoppedBecause: result.stoppedBecause, interrupted,
        resumedFrom: session.resumedAt, lastCheckpoint: record.lastCheckpoint, wallSeconds,
      };
    } catch (error) {
      throw reportDiskFull(error, record, outDir);
    } finally {
      for (const hook of hooks) hook.dispose?.();
      dispose();
    }
  }
}

import * as path from 'path';
import type { Command } from 'commander';
import { RUN_FILES, SssegError, loadRunConfig, positiveInt, runConfigSource, type RunConfig } from '@ssseg/core';
import { Runner, describeLastCheckpoint, exitCodeFor } from '@ssseg/runner';
import { createCliHost } from '../cli-host';
import { InterruptedError } from '../run/interrupted-error';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

interface TrainOptions extends ConfigOverrideFlags {
  config?: string;
  out?: string;
  resume?: string;
  maxSteps?: string;
  epochs?: string;
  force?: boolean;
  tensorboard?: boolean;
}

/** Command-line overrides applied on top of the config file. */
export function withOverrides(config: RunConfig, opts: { backend?: string; maxSteps?: string; epochs?: string; tensorboard?: boolean }): RunConfig {
  const train = { ...config.train };
  if (opts.maxSteps) train.maxSteps = positiveInt(opts.maxSteps, '--max-steps');
  if (opts.epochs) train.epochs = positiveInt(opts.epochs, '--epochs');
  const engine = opts.backend && opts.backend !== 'auto' ? { ...config.engine, backend: opts.backend } : config.engine;
  // --tensorboard is the config's `hooks: { tensorboard: { type: tensorboard } }`, unless the config has one already
  const listed = config.hooks ?? {};
  const hasTensorboard = Object.values(listed).some((h) => h !== false && h.type === 'tensorboard');
  const hooks = opts.tensorboard && !hasTensorboard ? { ...listed, tensorboard: { type: 'tensorboard' } } : config.hooks;
  return { ...config, train, engine, ...(hooks ? { hooks } : {}) };
}

export function registerTrainCommand(program: Command): void {
  withConfigOverrideOptions(program.command('train'), 'run')
    .description('train one run from a config; writes config.yaml, metrics.jsonl, last/best checkpoints and DONE')
    .option('--config <file>', 'run config (JSON or YAML)')
    .option('--out <dir>', 'output folder (default: runs/<config name>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option('--max-steps <n>', 'stop after n optimizer steps (the schedule is shortened to match)')
    .option('--epochs <n>', 'override train.epochs')
    .option('--force', 'start over in an --out folder that already holds a run, deleting it')
    .option('--tensorboard', 'also write TensorBoard event files (every logged term, LR, mIoU, per-class IoU, the prediction gallery) to <out>/tensorboard: the config\'s hooks: { tensorboard: { type: tensorboard } }')
    .action(async (opts: TrainOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals() as { backend?: string };
      if (!opts.config && !opts.resume) throw new SssegError('train needs --config <file> or --resume <dir>');
      const source = opts.config ?? path.join(opts.resume!, RUN_FILES.config);
      const outDir = opts.resume ?? opts.out ?? path.join('runs', path.basename(source).replace(/\.(ya?ml|json)$/, ''));
      const config = withOverrides(loadRunConfig(source, configOverrides(opts)), { ...opts, backend: global.backend });
      if (opts.force && opts.resume) throw new SssegError('--force starts a run over and --resume continues it: give one of them');
      const result = await Runner.fromConfig(config, {
        out: outDir, source: runConfigSource(source, configOverrides(opts)), existing: opts.resume ? 'resume' : opts.force ? 'restart' : 'refuse', host: createCliHost({ plugins: config.plugins }),
        label: path.basename(outDir), stopOnSignals: true,
      }).run();
      if (result.failed) {
        const last = result.lastCheckpoint ? describeLastCheckpoint(result.lastCheckpoint) : 'no checkpoint was written';
        throw new SssegError(`${result.stoppedBecause}; ${last}`);
      }
      if (result.interrupted) {
        throw new InterruptedError(
          `interrupted after step ${result.steps}: checkpoint written to ${result.lastCheckpoint}; continue with 'ssseg train --resume ${outDir}'`,
          exitCodeFor(result.interrupted),
        );
      }
      const miou = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}`);
      process.stdout.write(`done: ${result.steps} steps in ${result.wallSeconds.toFixed(0)} s, mIoU ${miou(result.finalMiou)} (best ${miou(result.bestMiou)}), outputs in ${outDir}\n`);
    });
}

import type { Command } from 'commander';
import { SssegError, evaluate, trainedPartsOf, type EvaluationResult } from '@ssseg/core';
import { sampleToInput } from '@ssseg/datasets';
import { buildRunModel, disposeRunModel, startEngine } from './run-model';
import { chooseWeights, defaultFromMethod, readCheckpointWeights, setCheckpointGroup, withWeightsOptions, type WeightsFlags } from './checkpoint-weights';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

/** mIoU and per-class IoU as a table, in percent. */
export function formatEvaluation(result: EvaluationResult, classNames: readonly string[]): string {
  const width = Math.max(5, ...classNames.map((c) => c.length));
  const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : (v * 100).toFixed(2)).padStart(7);
  return [
    `${'class'.padEnd(width)}  ${'IoU'.padStart(7)}`,
    ...result.iou.map((v, c) => `${(classNames[c] ?? String(c)).padEnd(width)}  ${pct(v)}`),
    `${'mIoU'.padEnd(width)}  ${pct(result.miou)}`,
    `${'pixel acc.'.padEnd(width)}  ${pct(result.pixelAccuracy)}`,
    `${result.images} validation images`,
  ].join('\n');
}

interface EvalOptions extends ConfigOverrideFlags, WeightsFlags {
  config: string;
  checkpoint: string;
  mode?: string;
  json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  withWeightsOptions(withConfigOverrideOptions(program.command('eval'), 'run')
    .description("mIoU and per-class IoU of a checkpoint on the validation set of its run config (by default the weights the run's evaluation scored: the student, the EMA teacher or a network trained beside the student, where the method evaluates it)")
    .requiredOption('--config <file>', 'run config of the checkpoint (JSON or YAML)')
    .requiredOption('--checkpoint <file>', 'training checkpoint'))
    .option('--mode <mode>', 'full (whole image) or sliding (windows of eval.cropSize); default: the config eval.mode')
    .option('--json', "print one JSON object: miou, iou, pixelAccuracy, images, weights ('student', 'teacher' or 'part/<name>') and weightsReason")
    .action(async (opts: EvalOptions, cmd: Command) => {
      if (opts.mode !== undefined && opts.mode !== 'full' && opts.mode !== 'sliding') {
        throw new SssegError(`--mode expects full or sliding, got '${opts.mode}'`);
      }
      await startEngine(cmd, opts.config);
      const built = buildRunModel(opts.config, undefined, 'run', configOverrides(opts));
      const run = built.run!;
      try {
        const mode = (opts.mode as 'full' | 'sliding' | undefined) ?? built.config.eval.mode;
        const cropSize = built.config.eval.cropSize ?? (run.dataset as { cropSize?: number }).cropSize;
        if (mode === 'sliding' && !cropSize) throw new SssegError('--mode sliding needs eval.cropSize in the config', opts.config);
        const teacher = run.teacher?.model();
        const weights = readCheckpointWeights(opts.checkpoint, run.model);
        let scored = run.model;
        let chosen: ReturnType<typeof chooseWeights>;
        try {
          chosen = chooseWeights(weights, opts, () => defaultFromMethod(run.method.evalModel(), run.model, trainedPartsOf(run.method)));
          // a teacher without weights of its own (shared) is the student; a part's weights go into a network of the config's model
          scored = chosen.group === 'teacher' && teacher ? teacher : run.model;
          setCheckpointGroup(scored, weights, chosen.group);
        } finally {
          weights.dispose();
        }
        const result = await evaluate(scored, run.dataset.validation(), {
          numClasses: run.dataset.numClasses,
          mode,
          cropSize,
          stride: built.config.eval.stride,
          toInput: (s) => sampleToInput(s),
        });
        if (opts.json) {
          const { miou, iou, pixelAccuracy, images } = result;
          const weightsUsed = { weights: chosen.group === 'model' ? 'student' : chosen.group, weightsReason: chosen.reason };
          process.stdout.write(`${JSON.stringify({ miou, iou, pixelAccuracy, images, ...weightsUsed })}\n`);
        } else {
          process.stdout.write(`${chosen.line}\n${formatEvaluation(result, run.dataset.classNames)}\n`);
        }
      } finally {
        disposeRunModel(built);
      }
    });
}

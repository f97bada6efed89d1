import type { Command } from 'commander';
import { summarizeModel, type ModelSummary } from '@ssseg/models';
import { buildRunModel, disposeRunModel, startEngine } from './run-model';
import { configOverrides, withConfigOverrideOptions, type ConfigOverrideFlags } from '@ssseg/runner';

export interface LayerGroup {
  /** First component of the weight names ('backbone', 'head', 'down', ...). */
  name: string;
  params: number;
  trainableParams: number;
}

/** Parameter counts per top-level layer, in the model's weight order. */
export function groupByTopLayer(summary: ModelSummary): LayerGroup[] {
  const groups = new Map<string, LayerGroup>();
  for (const layer of summary.layers) {
    const name = layer.name.split('.')[0];
    const g = groups.get(name) ?? { name, params: 0, trainableParams: 0 };
    g.params += layer.params;
    if (layer.trainable) g.trainableParams += layer.params;
    groups.set(name, g);
  }
  return [...groups.values()];
}

/** 40351829 -> '40.35 M'. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

function table(groups: LayerGroup[], summary: ModelSummary): string {
  const width = Math.max(5, ...groups.map((g) => g.name.length));
  const row = (name: string, trainable: number, total: number) =>
    `${name.padEnd(width)}  ${String(trainable).padStart(12)}  ${String(total).padStart(12)}  ${formatCount(trainable).padStart(9)}`;
  return [
    `${'layer'.padEnd(width)}  ${'trainable'.padStart(12)}  ${'total'.padStart(12)}`,
    ...groups.map((g) => row(g.name, g.trainableParams, g.params)),
    row('all', summary.trainableParams, summary.totalParams),
  ].join('\n');
}

export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('inspect the model of a run config');
  withConfigOverrideOptions(model.command('summary'), 'run')
    .description('parameter counts per top-level layer, total (with batch-norm statistics) and trainable')
    .requiredOption('--config <file>', 'run config (JSON or YAML)')
    .option('--classes <n>', 'class count (skips building the dataset to learn it)')
    .option('--json', 'print one JSON object: type, numClasses, totalParams, trainableParams, groups, layers')
    .action(async (opts: { config: string; classes?: string; json?: boolean } & ConfigOverrideFlags, cmd: Command) => {
      await startEngine(cmd, opts.config);
      const built = buildRunModel(opts.config, opts.classes, 'structure', configOverrides(opts));
      try {
        const summary = summarizeModel(built.model);
        const groups = groupByTopLayer(summary);
        if (opts.json) {
          const { type, numClasses } = built.model;
          process.stdout.write(`${JSON.stringify({ type, numClasses, totalParams: summary.totalParams, trainableParams: summary.trainableParams, groups, layers: summary.layers })}\n`);
        } else {
          process.stdout.write(`${built.model.type}, ${built.model.numClasses} classes\n${table(groups, summary)}\n`);
          process.stdout.write(`trainable ${formatCount(summary.trainableParams)}, total ${formatCount(summary.totalParams)} (batch-norm running statistics included)\n`);
        }
      } finally {
        disposeRunModel(built);
      }
    });
}

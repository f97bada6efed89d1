import type { Command } from 'commander';
import { initEngine } from '@ssseg/engine';
import {
  Dataset, SegmentationModel, SssegError, datasetClassCount, datasetImageSize, datasetOptions, loadRunConfig, positiveInt, runConfigSource,
  type AssembledRun, type ConfigOverrideOptions, type PluginHost, type RunConfig,
} from '@ssseg/core';
import { assembleRun, withRunDefaults } from '@ssseg/runner';
import { createCliHost } from '../cli-host';
import { configOverrides } from '@ssseg/runner';

/**
 * The engine backend: the global `--backend` flag when given, else the config's; its threads from
 * the config (with the command's `--threads`, `--set`).
 */
export async function startEngine(cmd: Command, configFile?: string): Promise<void> {
  const { backend } = cmd.optsWithGlobals() as { backend?: string };
  const engine = configFile ? loadRunConfig(configFile, configOverrides(cmd.opts())).engine : undefined;
  const chosen = backend && backend !== 'auto' ? backend : engine?.backend ?? 'auto';
  await initEngine({ backend: chosen as NonNullable<Parameters<typeof initEngine>[0]>['backend'], threads: engine?.threads, verbose: false });
}

export interface RunModel {
  config: RunConfig;
  host: PluginHost;
  model: SegmentationModel;
  /** Set when the whole run was assembled (`needs: 'run'`). */
  run?: AssembledRun;
  /** The dataset's crop size, from its options (no data read). */
  cropSize?: number;
  /** The one size of the dataset's validation images where its type declares it (no data read). */
  imageSize?: number;
}

/**
 * The model a run config describes, with the class count of its dataset (`classes` overrides it).
 * Only `needs: 'run'` (evaluation) builds the dataset; otherwise a dataset type with a fixed class
 * count is not opened, so the data need not be on this machine. `needs: 'structure'` (a summary,
 * or weights that a checkpoint replaces next) does not read a pretrained backbone file either.
 */
export function buildRunModel(
  configFile: string, classes?: string, needs: 'structure' | 'model' | 'run' = 'model', overrides: ConfigOverrideOptions = {},
): RunModel {
  const config = loadRunConfig(configFile, overrides);
  const source = runConfigSource(configFile, overrides);
  const host = createCliHost({ plugins: config.plugins });
  if (needs === 'run') {
    const run = assembleRun(host, config, source);
    return { config, host, model: run.model, run };
  }
  const dataConfig = withRunDefaults(host, Dataset, config.data, { seed: config.train.seed });
  const numClasses = classes !== undefined ? positiveInt(classes, '--classes') : datasetClassCount(host, dataConfig, `${source}: data`);
  const cropSize = datasetOptions(host, dataConfig, `${source}: data`).cropSize;
  const imageSize = datasetImageSize(host, dataConfig, `${source}: data`);
  const modelConfig = needs === 'structure' ? withoutPretrainedBackbone(config.model) : config.model;
  const model = host.build(SegmentationModel, { numClasses, seed: config.train.seed, ...modelConfig }, `${source}: model`);
  return { config, host, model, cropSize: typeof cropSize === 'number' ? cropSize : undefined, imageSize };
}

function withoutPretrainedBackbone(model: RunConfig['model']): RunConfig['model'] {
  const backbone = model.backbone as Record<string, unknown> | undefined;
  if (!backbone || typeof backbone !== 'object' || !('pretrained' in backbone)) return model;
  const { pretrained: _unused, ...rest } = backbone;
  return { ...model, backbone: rest };
}

/** Frees what buildRunModel made. */
export function disposeRunModel(m: RunModel): void {
  m.run?.method.dispose?.();
  if (m.run?.teacher && m.run.teacher.model() !== m.model) m.run.teacher.dispose();
  m.model.dispose();
}

/** `--size HxW` (or a single number for a square). */
export function parseSize(value: string, flag: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(value.trim());
  const h = m ? Number(m[1]) : NaN, w = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || h < 1 || w < 1) throw new SssegError(`${flag} expects HxW (e.g. 512x512) or one number, got '${value}'`);
  return [h, w];
}

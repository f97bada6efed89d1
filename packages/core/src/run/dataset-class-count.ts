import { Dataset } from '../tokens';
import type { ComponentConfig } from '../config/schema';
import type { PluginHost } from '../container';

/**
 * The class count of the dataset a config names: the dataset type's fixed count where it declares
 * one (no files are read), else the count of the dataset built from the config.
 */
export function datasetClassCount(host: PluginHost, dataConfig: ComponentConfig, configPath: string): number {
  const fixed = host.lookup(Dataset, dataConfig.type, configPath).implementation.numClasses;
  return typeof fixed === 'number' ? fixed : host.build(Dataset, dataConfig, configPath).numClasses;
}

/** The dataset's options with its defaults filled in (e.g. its crop size), without building it. */
export function datasetOptions(host: PluginHost, dataConfig: ComponentConfig, configPath: string): Record<string, unknown> {
  return host.parseOptions(host.lookup(Dataset, dataConfig.type, configPath), dataConfig, configPath);
}

/** The one size (height = width) of the dataset's validation images where its type declares it, without building it. */
export function datasetImageSize(host: PluginHost, dataConfig: ComponentConfig, configPath: string): number | undefined {
  const component = host.lookup(Dataset, dataConfig.type, configPath);
  return component.implementation.imageSize?.(host.parseOptions(component, dataConfig, configPath));
}

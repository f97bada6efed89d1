import { ConfigError, SssegError, validateOptions, type ComponentClass, type Dataset, type SampleSource } from '@ssseg/core';
import { CityscapesDataset } from '../readers/cityscapes';
import { PascalVocDataset } from '../readers/pascal-voc';
import { MnistSegDataset } from '../mnist/mnist-seg';
import { FashionSegDataset } from '../fashion/fashion-seg';

/** The datasets this package provides, by config `type`. */
export const BUILTIN_DATASETS: Readonly<Record<string, ComponentClass<Dataset>>> = {
  'pascal-voc': PascalVocDataset,
  cityscapes: CityscapesDataset,
  'mnist-seg': MnistSegDataset,
  'fashion-seg': FashionSegDataset,
};

/** Builds a built-in dataset from a `type`-keyed config, with errors naming `configPath`. */
export function buildDataset(config: { type: string; [option: string]: unknown }, configPath = 'data'): Dataset {
  const cls = BUILTIN_DATASETS[config.type];
  if (!cls) throw new ConfigError(`unknown Dataset type '${config.type}'. Known Dataset types: ${Object.keys(BUILTIN_DATASETS).join(', ')}`, `${configPath}.type`);
  const { type: _type, ...options } = config;
  return new cls(validateOptions(cls.options, options, configPath, `Dataset '${config.type}'`));
}

export type DatasetPart = 'labelled' | 'unlabelled' | 'validation';

export interface DatasetStats {
  /** Images read, over the parts inspected. */
  images: number;
  /** Of which with a label map. */
  masks: number;
  /** Labelled pixels per class. */
  classPixelCounts: number[];
  /** Pixels labelled 255. */
  ignorePixels: number;
  /** Smallest and largest image, [height, width] (by area). */
  minSize: [number, number];
  maxSize: [number, number];
  /** Images per part. */
  parts: Partial<Record<DatasetPart, number>>;
  classNames: string[];
}

export interface InspectOptions {
  parts?: DatasetPart[];
  /** Inspect at most this many images per part. */
  limit?: number;
}

/**
 * Reads every image and label of a dataset (all parts by default) and counts pixels per class,
 * so a bad file surfaces here with its name rather than mid-training.
 */
export async function inspectDataset(
  dataset: Dataset | { type: string; [option: string]: unknown },
  options: InspectOptions = {},
): Promise<DatasetStats> {
  const ds = 'labelled' in dataset && typeof dataset.labelled === 'function' ? (dataset as Dataset) : buildDataset(dataset as { type: string });
  const parts = options.parts ?? ['labelled', 'unlabelled', 'validation'];
  const stats: DatasetStats = {
    images: 0,
    masks: 0,
    classPixelCounts: new Array(ds.numClasses).fill(0),
    ignorePixels: 0,
    minSize: [0, 0],
    maxSize: [0, 0],
    parts: {},
    classNames: [...ds.classNames],
  };
  let minArea = Infinity, maxArea = -1;
  for (const part of parts) {
    const source: SampleSource = part === 'labelled' ? ds.labelled() : part === 'unlabelled' ? ds.unlabelled() : ds.validation();
    const n = Math.min(source.length, options.limit ?? Infinity);
    stats.parts[part] = n;
    for (let i = 0; i < n; i++) {
      const s = await source.get(i);
      stats.images++;
      const area = s.height * s.width;
      if (area < minArea) [minArea, stats.minSize] = [area, [s.height, s.width]];
      if (area > maxArea) [maxArea, stats.maxSize] = [area, [s.height, s.width]];
      if (!s.mask) continue;
      stats.masks++;
      for (let k = 0; k < s.mask.length; k++) {
        const v = s.mask[k];
        if (v === 255) stats.ignorePixels++;
        else if (v < ds.numClasses) stats.classPixelCounts[v]++;
        else throw new SssegError(`label ${v} at pixel ${k} is outside the ${ds.numClasses} classes`, `${part} sample ${s.id}`);
      }
    }
  }
  return stats;
}

/** A class-balance table for people: class, pixels, share of labelled pixels. */
export function formatClassBalance(stats: DatasetStats): string {
  const total = stats.classPixelCounts.reduce((a, b) => a + b, 0) || 1;
  const width = Math.max(5, ...stats.classNames.map((c) => c.length));
  const lines = [`${'class'.padEnd(width)}  ${'pixels'.padStart(12)}  share`];
  stats.classPixelCounts.forEach((count, c) => {
    lines.push(`${(stats.classNames[c] ?? String(c)).padEnd(width)}  ${String(count).padStart(12)}  ${((100 * count) / total).toFixed(2).padStart(5)}%`);
  });
  lines.push(`${'ignore'.padEnd(width)}  ${String(stats.ignorePixels).padStart(12)}`);
  return lines.join('\n');
}

import * as path from 'path';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, type Dataset, type SampleSource } from '@ssseg/core';
import { readSplitFile } from '../splits/split-file';
import { FileSampleSource, classIndexDecoder } from './file-source';

export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
] as const;

export const SplitDatasetOptions = z.strictObject({
  /** Data root: the split files' paths resolve against it. */
  root: z.string().min(1),
  /** Split name: a folder of splitDir holding labeled.txt and unlabeled.txt. */
  split: z.string().min(1),
  /** Folder of the split folders and val.txt (UniMatch's splits/<dataset>); default <root>/splits. */
  splitDir: z.string().optional(),
  /** Validation list; default <splitDir>/val.txt. */
  valFile: z.string().optional(),
  /** Training crop size the default weak pipeline uses. */
  cropSize: z.number().int().positive(),
});

/** The three lists of a split, resolved to files. */
export function splitFiles(o: { root: string; split: string; splitDir?: string; valFile?: string }) {
  const splitDir = path.resolve(o.root, o.splitDir ?? 'splits');
  return {
    labelled: path.join(splitDir, o.split, 'labeled.txt'),
    unlabelled: path.join(splitDir, o.split, 'unlabeled.txt'),
    validation: o.valFile ? path.resolve(o.root, o.valFile) : path.join(splitDir, 'val.txt'),
  };
}

/**
 * PASCAL VOC 2012 (with SBD's SegmentationClassAug if present): JPEG images, palette PNG labels
 * whose palette index is the class (0 background, 1..20 objects, 255 ignore).
 */
@injectable()
export class PascalVocDataset implements Dataset {
  static options = SplitDatasetOptions.extend({ split: z.string().min(1).default('1464'), cropSize: z.number().int().positive().default(321) });
  static summary = 'PASCAL VOC 2012 (palette PNG labels) with UniMatch split files';
  readonly type = 'pascal-voc';
  readonly numClasses = 21;
  readonly classNames = VOC_CLASSES;
  readonly cropSize: number;
  private readonly sources: { labelled: SampleSource; validation: SampleSource };
  /** Read on first use: a supervised run needs no unlabeled.txt. */
  private readonly readUnlabelled: () => SampleSource;
  private unlabelledSource?: SampleSource;

  constructor(@inject(ComponentOptions) options: Record<string, unknown>) {
    const o = PascalVocDataset.options.parse(options);
    this.cropSize = o.cropSize;
    const root = path.resolve(o.root);
    const files = splitFiles(o);
    const decode = classIndexDecoder(this.numClasses);
    this.sources = {
      labelled: new FileSampleSource(root, readSplitFile(files.labelled, { root, requireMask: true }), decode),
      validation: new FileSampleSource(root, readSplitFile(files.validation, { root, requireMask: true }), decode),
    };
    this.readUnlabelled = () => new FileSampleSource(root, readSplitFile(files.unlabelled, { root, requireMask: false, checkMask: false }));
  }

  labelled(): SampleSource {
    return this.sources.labelled;
  }
  unlabelled(): SampleSource {
    return (this.unlabelledSource ??= this.readUnlabelled());
  }
  validation(): SampleSource {
    return this.sources.validation;
  }
}

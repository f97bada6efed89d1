import * as path from 'path';
import { z } from 'zod';
import type { Dataset, SampleSource } from '@ssseg/core';
import { readSplitFile } from '../splits/split-file';
import { FileSampleSource, type LabelDecoder } from './file-source';

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
export type SplitDatasetOptions = z.output<typeof SplitDatasetOptions>;

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
 * A dataset of image and mask files listed in a UniMatch-format split: labelled and validation
 * lists are read (and their files checked) at once; the unlabelled list on first use, so a
 * supervised run needs no unlabeled.txt. A subclass names its classes and how its masks decode.
 */
export abstract class SplitDataset implements Dataset {
  abstract readonly type: string;
  abstract readonly numClasses: number;
  abstract readonly classNames: readonly string[];
  readonly cropSize: number;
  private readonly root: string;
  private readonly labelledSource: SampleSource;
  private readonly validationSource: SampleSource;
  private readonly unlabelledFile: string;
  private unlabelledSource?: SampleSource;

  protected constructor(options: SplitDatasetOptions, decode: LabelDecoder) {
    this.cropSize = options.cropSize;
    this.root = path.resolve(options.root);
    const files = splitFiles(options);
    this.labelledSource = new FileSampleSource(this.root, readSplitFile(files.labelled, { root: this.root, requireMask: true }), decode);
    this.validationSource = new FileSampleSource(this.root, readSplitFile(files.validation, { root: this.root, requireMask: true }), decode);
    this.unlabelledFile = files.unlabelled;
  }

  labelled(): SampleSource {
    return this.labelledSource;
  }

  unlabelled(): SampleSource {
    return (this.unlabelledSource ??= new FileSampleSource(
      this.root,
      readSplitFile(this.unlabelledFile, { root: this.root, requireMask: false, checkMask: false }),
    ));
  }

  validation(): SampleSource {
    return this.validationSource;
  }
}

import * as path from 'path';
import { z } from 'zod';
import type { SampleSource } from '@ssseg/core';
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
 * The three sample sources of a UniMatch-format split: labelled and validation lists are read
 * (and their files checked) at once; the unlabelled list on first use, so a supervised run needs
 * no unlabeled.txt.
 */
export class SplitSources {
  readonly labelled: SampleSource;
  readonly validation: SampleSource;
  private readonly root: string;
  private readonly unlabelledFile: string;
  private unlabelledSource?: SampleSource;

  constructor(options: { root: string; split: string; splitDir?: string; valFile?: string }, decode: LabelDecoder) {
    this.root = path.resolve(options.root);
    const files = splitFiles(options);
    this.labelled = new FileSampleSource(this.root, readSplitFile(files.labelled, { root: this.root, requireMask: true }), decode);
    this.validation = new FileSampleSource(this.root, readSplitFile(files.validation, { root: this.root, requireMask: true }), decode);
    this.unlabelledFile = files.unlabelled;
  }

  unlabelled(): SampleSource {
    return (this.unlabelledSource ??= new FileSampleSource(
      this.root,
      readSplitFile(this.unlabelledFile, { root: this.root, requireMask: false, checkMask: false }),
    ));
  }
}

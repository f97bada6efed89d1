import { SssegError, type Sample, type SampleSource } from '@ssseg/core';
import { readImage } from '../io/image';
import { readLabelPng } from '../io/label-png';
import type { SplitEntry } from '../splits/split-file';
import { dataRoot, fileInsideRoot, type DataRoot } from '../splits/inside-root';

/** Turns raw label values of one file into class indices (255 = ignore); throws on values it does not know. */
export type LabelDecoder = (values: Uint8Array, file: string, width: number) => Uint8Array;

/** Checks values are classes in [0, numClasses) or 255, naming the first bad pixel. */
export function classIndexDecoder(numClasses: number): LabelDecoder {
  return (values, file, width) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v >= numClasses && v !== 255) {
        throw new SssegError(
          `label value ${v} at (x ${i % width}, y ${Math.floor(i / width)}) is outside the ${numClasses} classes [0, ${numClasses - 1}] and is not 255 (ignore)`,
          file,
        );
      }
    }
    return values;
  };
}

/** Samples read from image (and mask) files listed in a split. */
export class FileSampleSource implements SampleSource {
  private readonly root: DataRoot;

  constructor(
    root: string,
    private readonly entries: SplitEntry[],
    /** Absent: unlabelled, masks are not read. */
    private readonly decodeLabels?: LabelDecoder,
  ) {
    this.root = dataRoot(root);
  }

  get length(): number {
    return this.entries.length;
  }

  id(index: number): string {
    return this.entries[this.check(index)].image;
  }

  async get(index: number): Promise<Sample> {
    const entry = this.entries[this.check(index)];
    // checked here too: entries need not come from readSplitFile, and a link may have changed since
    const imageFile = fileInsideRoot(this.root, entry.image, 'image', entry.where);
    const { width, height, image } = await readImage(imageFile);
    const sample: Sample = { id: entry.image, width, height, image };
    if (this.decodeLabels) {
      if (!entry.mask) throw new SssegError('labelled entry names no mask', entry.where);
      const maskFile = fileInsideRoot(this.root, entry.mask, 'mask', entry.where);
      const labels = readLabelPng(maskFile);
      if (labels.width !== width || labels.height !== height) {
        throw new SssegError(
          `image ${imageFile} is ${width}x${height} but its mask ${maskFile} is ${labels.width}x${labels.height} (width x height)`,
          entry.where,
        );
      }
      sample.mask = this.decodeLabels(labels.values, maskFile, width);
    }
    return sample;
  }

  private check(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.entries.length) {
      throw new RangeError(`sample index ${index} out of range [0, ${this.entries.length})`);
    }
    return index;
  }
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions, SssegError } from '@ssseg/core';
import { classIndexDecoder, type LabelDecoder } from './file-source';
import { SplitDataset, SplitDatasetOptions } from './split-dataset';

export const CITYSCAPES_CLASSES = [
  'road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light', 'traffic sign', 'vegetation', 'terrain',
  'sky', 'person', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
] as const;

/** Cityscapes labelId -> trainId (cityscapesScripts' labels.py); every other id is ignored (255). */
export const CITYSCAPES_TRAIN_IDS: Readonly<Record<number, number>> = {
  7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12, 26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18,
};

/** Largest labelId Cityscapes defines (33 bicycle); license plate (-1) is stored as 255 or 0 by tools. */
const MAX_LABEL_ID = 33;

const LABEL_ID_LUT = (() => {
  const lut = new Uint8Array(256).fill(255);
  for (const [id, trainId] of Object.entries(CITYSCAPES_TRAIN_IDS)) lut[Number(id)] = trainId;
  return lut;
})();

/** Maps a `*_labelIds.png` to trainIds, refusing values that are no Cityscapes labelId. */
export const labelIdDecoder: LabelDecoder = (values, file, width) => {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v > MAX_LABEL_ID && v !== 255) {
      throw new SssegError(
        `label value ${v} at (x ${i % width}, y ${Math.floor(i / width)}) is not a Cityscapes labelId (0..${MAX_LABEL_ID}) nor 255`,
        file,
      );
    }
    out[i] = LABEL_ID_LUT[v];
  }
  return out;
};

/**
 * Cityscapes fine annotations: leftImg8bit PNG images; `*_gtFine_labelIds.png` mapped to the 19
 * trainIds, or `*_labelTrainIds.png` read as they are (chosen per file by its name, or forced).
 */
@injectable()
export class CityscapesDataset extends SplitDataset {
  static options = SplitDatasetOptions.extend({
    split: z.string().min(1).default('1_16'),
    cropSize: z.number().int().positive().default(801),
    /** How mask files are read: by file name (`auto`), or forced. */
    labelFormat: z.enum(['auto', 'labelIds', 'trainIds']).default('auto'),
  });
  static summary = 'Cityscapes fine (labelIds mapped to 19 trainIds) with UniMatch split files';
  static readonly type = 'cityscapes';
  readonly type = componentType(this);
  static readonly numClasses = 19;
  readonly numClasses = 19;
  readonly classNames = CITYSCAPES_CLASSES;

  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof CityscapesDataset.options>) {
    const trainIds = classIndexDecoder(CityscapesDataset.numClasses);
    super(o, (values, file, width) => {
      const asTrainIds = o.labelFormat === 'trainIds' || (o.labelFormat === 'auto' && /labelTrainIds\.png$/i.test(file));
      return asTrainIds ? trainIds(values, file, width) : labelIdDecoder(values, file, width);
    });
  }
}

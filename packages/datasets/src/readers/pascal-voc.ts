import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { componentType, ComponentOptions } from '@ssseg/core';
import { classIndexDecoder } from './file-source';
import { SplitDataset, SplitDatasetOptions } from './split-dataset';

export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
] as const;

/**
 * PASCAL VOC 2012 (with SBD's SegmentationClassAug if present): JPEG images, palette PNG labels
 * whose palette index is the class (0 background, 1..20 objects, 255 ignore).
 */
@injectable()
export class PascalVocDataset extends SplitDataset {
  static options = SplitDatasetOptions.extend({ split: z.string().min(1).default('1464'), cropSize: z.number().int().positive().default(321) });
  static summary = 'PASCAL VOC 2012 (palette PNG labels) with UniMatch split files';
  static readonly type = 'pascal-voc';
  readonly type = componentType(this);
  static readonly numClasses = 21;
  readonly numClasses = 21;
  readonly classNames = VOC_CLASSES;

  constructor(@inject(ComponentOptions) o: ComponentOptions<typeof PascalVocDataset.options>) {
    super(o, classIndexDecoder(PascalVocDataset.numClasses));
  }
}

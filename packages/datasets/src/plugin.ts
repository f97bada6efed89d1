import { ContainerModule } from 'inversify';
import { Augmentation, Dataset, definePlugin, provide } from '@ssseg/core';
import { BUILTIN_AUGMENTATIONS } from './augment/pipeline';
import { CityscapesDataset } from './readers/cityscapes';
import { PascalVocDataset } from './readers/pascal-voc';
import { MnistSegDataset } from './mnist/mnist-seg';

export const DATASETS_VERSION = '0.1.0';

/** Registers the datasets (mnist-seg, pascal-voc, cityscapes) and augmentations of this package. */
export const datasetsPlugin = definePlugin({
  name: '@ssseg/datasets',
  version: DATASETS_VERSION,
  description: 'Dataset readers (mnist-seg, PASCAL VOC, Cityscapes) and augmentations',
  module: new ContainerModule(({ bind }) => {
    provide(bind, Dataset, 'mnist-seg', MnistSegDataset);
    provide(bind, Dataset, 'pascal-voc', PascalVocDataset);
    provide(bind, Dataset, 'cityscapes', CityscapesDataset);
    for (const [type, cls] of Object.entries(BUILTIN_AUGMENTATIONS)) provide(bind, Augmentation, type, cls);
  }),
});

import { ContainerModule } from 'inversify';
import { Augmentation, Dataset, definePlugin, provide } from '@ssseg/core';
import { BUILTIN_AUGMENTATIONS } from './augment/pipeline';
import { CityscapesDataset } from './readers/cityscapes';
import { PascalVocDataset } from './readers/pascal-voc';
import { MnistSegDataset } from './mnist/mnist-seg';
import { FashionSegDataset } from './fashion/fashion-seg';

/** Registers the datasets (mnist-seg, fashion-seg, pascal-voc, cityscapes) and augmentations of this package. */
export const datasetsPlugin = definePlugin({
  from: __dirname,
  description: 'Dataset readers (mnist-seg, fashion-seg, PASCAL VOC, Cityscapes) and augmentations',
  module: new ContainerModule(({ bind }) => {
    provide(bind, Dataset, MnistSegDataset);
    provide(bind, Dataset, FashionSegDataset);
    provide(bind, Dataset, PascalVocDataset);
    provide(bind, Dataset, CityscapesDataset);
    for (const cls of Object.values(BUILTIN_AUGMENTATIONS)) provide(bind, Augmentation, cls);
  }),
});

import { ContainerModule } from 'inversify';
import { definePlugin, provide, SegmentationModel } from '@ssseg/core';
import { DeepLabV3Plus } from './deeplabv3plus';
import { UNet } from './unet';
import { version } from './version';

/** Registers the models of this package as SegmentationModel types. */
export const modelsPlugin = definePlugin({
  name: '@ssseg/models',
  version,
  description: 'DeepLabV3+ (ResNet, MobileNetV2) and U-Net',
  module: new ContainerModule(({ bind }) => {
    provide(bind, SegmentationModel, 'deeplabv3plus', DeepLabV3Plus);
    provide(bind, SegmentationModel, 'unet', UNet);
  }),
});

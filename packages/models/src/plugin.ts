import { ContainerModule } from 'inversify';
import { definePlugin, provide, SegmentationModel } from '@ssseg/core';
import { DeepLabV3Plus } from './deeplabv3plus';
import { UNet } from './unet';
import { bindBackbones } from './backbones/components';

/** Registers the models of this package as SegmentationModel types. */
export const modelsPlugin = definePlugin({
  from: __dirname,
  description: 'DeepLabV3+ (ResNet, MobileNetV2) and U-Net',
  module: new ContainerModule(({ bind }) => {
    provide(bind, SegmentationModel, DeepLabV3Plus);
    provide(bind, SegmentationModel, UNet);
    bindBackbones(bind);
  }),
});

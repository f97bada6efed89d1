import { ContainerModule } from 'inversify';
import { PseudoLabeler, definePlugin, provide } from '@ssseg/core';
import { ThresholdPseudoLabeler } from './threshold';
import { SoftPseudoLabeler } from './soft';

export { ThresholdPseudoLabeler, SoftPseudoLabeler };

export default definePlugin({
  name: '@ssseg/plugin-pseudo-labelers',
  version: '0.1.0',
  description: 'Pseudo-labelers: fixed threshold (hard labels) and soft labels with temperature',
  module: new ContainerModule(({ bind }) => {
    provide(bind, PseudoLabeler, 'threshold', ThresholdPseudoLabeler);
    provide(bind, PseudoLabeler, 'soft', SoftPseudoLabeler);
  }),
});

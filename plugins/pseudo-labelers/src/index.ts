import { ContainerModule } from 'inversify';
import { PseudoLabeler, definePlugin, provide } from '@ssseg/core';
import { ThresholdPseudoLabeler } from './threshold';
import { SoftPseudoLabeler } from './soft';

export { ThresholdPseudoLabeler, SoftPseudoLabeler };

export default definePlugin({
  from: __dirname,
  description: 'Pseudo-labelers: fixed threshold (hard labels) and soft labels with temperature',
  module: new ContainerModule(({ bind }) => {
    provide(bind, PseudoLabeler, ThresholdPseudoLabeler);
    provide(bind, PseudoLabeler, SoftPseudoLabeler);
  }),
});

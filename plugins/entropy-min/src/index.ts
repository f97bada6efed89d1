import { ContainerModule } from 'inversify';
import { Regularizer, definePlugin, provide } from '@ssseg/core';
import { EntropyMinimisation } from './entropy-min';

export { EntropyMinimisation };

export default definePlugin({
  from: __dirname,
  description: 'Entropy minimisation regularizer (an example of a plugin core does not know)',
  module: new ContainerModule(({ bind }) => provide(bind, Regularizer, EntropyMinimisation)),
});

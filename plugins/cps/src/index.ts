import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { CrossPseudoSupervision } from './cps';

export { CrossPseudoSupervision };

export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Method, CrossPseudoSupervision)),
});

import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { Supervised } from './supervised';

export { Supervised };

export default definePlugin({
  name: '@ssseg/plugin-supervised',
  version: '0.1.0',
  module: new ContainerModule(({ bind }) => provide(bind, Method, 'supervised', Supervised)),
});

import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { UniMatch } from './unimatch';

export { UniMatch };

export default definePlugin({
  name: '@ssseg/plugin-unimatch',
  version: '0.1.0',
  module: new ContainerModule(({ bind }) => provide(bind, Method, 'unimatch', UniMatch)),
});

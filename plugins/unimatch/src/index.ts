import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { UniMatch } from './unimatch';

export { UniMatch };

export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Method, UniMatch)),
});

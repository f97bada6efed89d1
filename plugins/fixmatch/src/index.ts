import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { FixMatch } from './fixmatch';

export { FixMatch };

export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Method, FixMatch)),
});

import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { FixMatch } from './fixmatch';

export { FixMatch };

export default definePlugin({
  name: '@ssseg/plugin-fixmatch',
  version: '0.1.0',
  module: new ContainerModule(({ bind }) => provide(bind, Method, 'fixmatch', FixMatch)),
});

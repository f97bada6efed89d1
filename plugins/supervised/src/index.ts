import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { Supervised } from './supervised';

export { Supervised };

export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Method, Supervised)),
});

import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { MeanTeacher } from './mean-teacher';

export { MeanTeacher };

export default definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => provide(bind, Method, MeanTeacher)),
});

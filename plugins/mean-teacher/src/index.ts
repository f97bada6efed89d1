import { ContainerModule } from 'inversify';
import { Method, definePlugin, provide } from '@ssseg/core';
import { MeanTeacher } from './mean-teacher';

export { MeanTeacher };

export default definePlugin({
  name: '@ssseg/plugin-mean-teacher',
  version: '0.1.0',
  module: new ContainerModule(({ bind }) => provide(bind, Method, 'mean-teacher', MeanTeacher)),
});

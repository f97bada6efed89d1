import { ContainerModule } from 'inversify';
import { Regularizer, definePlugin, provide } from '@ssseg/core';
import { IPixMatchRegularizer } from './ipixmatch';

export { IPixMatchRegularizer } from './ipixmatch';

export default definePlugin({
  from: __dirname,
  description: 'IPixMatch: inter-pixel relation consistency between teacher and student',
  module: new ContainerModule(({ bind }) => provide(bind, Regularizer, IPixMatchRegularizer)),
});

import { ContainerModule } from 'inversify';
import { TeacherStrategy, definePlugin, provide } from '@ssseg/core';
import { SharedWeightsTeacher, predictWithoutGradient } from './shared';
import { EmaTeacher } from './ema';

export { SharedWeightsTeacher, EmaTeacher, predictWithoutGradient };

export default definePlugin({
  from: __dirname,
  description: 'Teacher strategies: shared weights without gradient, EMA of the student',
  module: new ContainerModule(({ bind }) => {
    provide(bind, TeacherStrategy, SharedWeightsTeacher);
    provide(bind, TeacherStrategy, EmaTeacher);
  }),
});

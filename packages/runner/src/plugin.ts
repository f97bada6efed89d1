import { ContainerModule } from 'inversify';
import {
  Adam, ConstantSchedule, Hook, LrSchedule, Optimizer, PolySchedule, Sgd, definePlugin, provide,
} from '@ssseg/core';
import { DEFAULT_HOOKS } from './default-hooks';

/**
 * The runner's own components: core's optimizers and schedules as registry types, and the hook
 * types of every run's default hooks (default-hooks.ts names them and orders them).
 */
export const runnerPlugin = definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => {
    provide(bind, Optimizer, Sgd);
    provide(bind, Optimizer, Adam);
    provide(bind, LrSchedule, PolySchedule);
    provide(bind, LrSchedule, ConstantSchedule);
    for (const hook of DEFAULT_HOOKS) provide(bind, Hook, hook);
  }),
});

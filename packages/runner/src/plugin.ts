import { ContainerModule } from 'inversify';
import {
  Adam, ConstantSchedule, Hook, LrSchedule, Optimizer, PolySchedule, Sgd, contribute, definePlugin, provide,
} from '@ssseg/core';
import { MetricsLogHook } from './hooks/metrics-log';
import { EvaluationHook } from './hooks/evaluation';
import { GalleryHook } from './hooks/gallery';
import { CheckpointHook, StepCheckpointHook } from './hooks/checkpoint';
import { RunProgressHook } from './hooks/run-progress';
import { SignalInterruptHook } from './hooks/interrupt';
import { StopAfterStepsHook } from './hooks/stop-after-steps';
import { TestPauseHook } from './hooks/test-pause';

/**
 * The runner's own components: core's optimizers and schedules as registry types, and the hooks
 * every run has. Hooks of equal priority run in the order contributed here (evaluation before
 * the gallery that reads it, the epoch checkpoint before the step checkpoint).
 */
export const runnerPlugin = definePlugin({
  from: __dirname,
  module: new ContainerModule(({ bind }) => {
    provide(bind, Optimizer, Sgd);
    provide(bind, Optimizer, Adam);
    provide(bind, LrSchedule, PolySchedule);
    provide(bind, LrSchedule, ConstantSchedule);
    contribute(bind, Hook, SignalInterruptHook);
    contribute(bind, Hook, StopAfterStepsHook);
    contribute(bind, Hook, MetricsLogHook);
    contribute(bind, Hook, RunProgressHook);
    contribute(bind, Hook, EvaluationHook);
    contribute(bind, Hook, GalleryHook);
    contribute(bind, Hook, CheckpointHook);
    contribute(bind, Hook, StepCheckpointHook);
    contribute(bind, Hook, TestPauseHook);
  }),
});

import type { ComponentClass, Hook } from '@ssseg/core';
import { MetricsLogHook } from './hooks/metrics-log';
import { EvaluationHook } from './hooks/evaluation';
import { GalleryHook } from './hooks/gallery';
import { CheckpointHook } from './hooks/checkpoint';
import { ProgressHook } from './hooks/progress';
import { SignalInterruptHook } from './hooks/interrupt';
import { StopAfterStepsHook } from './hooks/stop-after-steps';
import { TestPauseHook } from './hooks/test-pause';

/**
 * Every run's hooks, each named by its type (a config's `hooks.NAME` overrides, moves or switches
 * it off). Hooks of equal priority run in this order: the evaluation before the gallery that reads it.
 */
export const DEFAULT_HOOKS: readonly (ComponentClass<Hook> & { type: string })[] = [
  SignalInterruptHook,
  StopAfterStepsHook,
  MetricsLogHook,
  ProgressHook,
  EvaluationHook,
  GalleryHook,
  CheckpointHook,
  TestPauseHook,
];

export const DEFAULT_HOOK_NAMES: readonly string[] = DEFAULT_HOOKS.map((h) => h.type);

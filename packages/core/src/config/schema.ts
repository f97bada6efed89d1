import { z } from 'zod';
import { HookPriority } from '../tokens';

// Every object of a run config is strict: a misspelt key would otherwise be dropped without a word
// (`regularisers:` would turn the regularizers off).

/** A `type`-keyed component dict (MMEngine style); its other keys are validated by the component. */
export const ComponentConfig = z.looseObject({ type: z.string().min(1, 'type must name a registered component') });
export type ComponentConfig = z.infer<typeof ComponentConfig>;

/**
 * `train.optimizer`: a registered Optimizer by `type` (sgd, adam, or a plugin's), whose own schema
 * validates its other keys (momentum, weightDecay...), plus the head's learning-rate multiplier.
 */
export const OptimizerConfig = z
  .looseObject({
    type: z.string().min(1, 'type must name a registered optimizer').default('sgd'),
    /** Learning-rate multiplier of the head (decoder) relative to the backbone, as UniMatch uses 10. */
    headLrMultiplier: z.number().positive().default(1),
  })
  // the optimizer's options before headLrMultiplier, as config.yaml and checkpoints have always listed them
  .transform(({ type, headLrMultiplier, ...options }) => ({ type, ...options, headLrMultiplier }));

export const TrainConfig = z.strictObject({
  /** Epochs over the unlabelled set (or the labelled set for supervised runs). */
  epochs: z.number().int().positive().default(20),
  /** If set, stop after this many optimizer steps regardless of epochs. */
  maxSteps: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().default(8),
  /** Unlabelled images per step (defaults to batchSize). */
  unlabelledBatchSize: z.number().int().positive().optional(),
  lr: z.number().positive().default(0.001),
  /** A registered LrSchedule by type (poly, constant, or a plugin's). */
  lrSchedule: z.string().min(1).default('poly'),
  /** The poly schedule's power (given to any schedule whose options take a `power`). */
  lrPower: z.number().positive().default(0.9),
  optimizer: OptimizerConfig.prefault({}),
  seed: z.number().int().default(1),
  evalEvery: z.number().int().positive().default(1),
  /** The default of `hooks.checkpoint.everyEpochs` (kept: every run folder's config.yaml has it). */
  checkpointEvery: z.number().int().positive().default(1),
  /**
   * The default of `hooks.checkpoint.everySteps` (kept: every run folder's config.yaml has it):
   * also write last.ckpt every N optimizer steps, so a crash loses at most N steps.
   */
  checkpointEverySteps: z.number().int().positive().default(100),
  /**
   * Evaluate and checkpoint every N optimizer steps instead of every N epochs: supervised and
   * semi-supervised epochs differ in length, steps compare runs on the same clock.
   */
  evalEverySteps: z.number().int().positive().optional(),
});

export const EvalConfig = z.strictObject({
  mode: z.enum(['full', 'sliding']).default('full'),
  cropSize: z.number().int().positive().optional(),
  stride: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().default(8),
  /**
   * Validation images whose predictions each evaluation records for the gallery (ssseg serve,
   * report, TensorBoard): the default of `hooks.gallery.images`.
   */
  galleryImages: z.number().int().min(0).max(64).default(8),
});

/** Where a hook runs among the others at each event: a HookPriority name or a number, lower first. */
export const HookPriorityConfig = z.union([z.enum(Object.keys(HookPriority) as [keyof typeof HookPriority]), z.number()]);

/**
 * `hooks.NAME`: `false` switches the run's hook NAME off; an object gives it options (validated by
 * the hook's own schema), `priority` moves it, and `type` names the hook type of a hook NAME the
 * run does not have by default (or replaces a default one).
 */
export const HookConfig = z.union([
  z.literal(false),
  z.looseObject({ type: z.string().min(1, 'type must name a registered hook').optional(), priority: HookPriorityConfig.optional() }),
], {
  error: `expected false (the hook off) or the hook's options, with priority one of ${Object.keys(HookPriority).join(', ')} or a number`,
});
export type HookConfig = z.infer<typeof HookConfig>;

export const EngineConfig = z.strictObject({
  backend: z.string().default('auto'),
  threads: z.number().int().positive().optional(),
});

export const RunConfigSchema = z.strictObject({
  method: ComponentConfig.prefault({ type: 'supervised' }),
  regularizers: z.array(ComponentConfig).default([]),
  model: ComponentConfig,
  data: ComponentConfig,
  /** Augmentation pipelines, by name (weak, strong); defaults come from the datasets package. */
  augmentations: z
    .strictObject({ weak: z.array(ComponentConfig).optional(), strong: z.array(ComponentConfig).optional() })
    .prefault({}),
  train: TrainConfig.prefault({}),
  eval: EvalConfig.prefault({}),
  engine: EngineConfig.prefault({}),
  /**
   * The run's hooks by name: overrides of its default ones (`checkpoint: { everySteps: 50 }`,
   * `gallery: false`) and added ones (`tensorboard: { type: tensorboard }`).
   */
  hooks: z.record(z.string(), HookConfig, {
    error: (issue) => (issue.code === 'invalid_type'
      ? 'expected a map of hooks by name, e.g. { checkpoint: { everySteps: 50 }, gallery: false, tensorboard: { type: tensorboard } } (a list of hooks is no longer read)'
      : undefined),
  }).optional(),
  /** Plugin packages to load by name before building components. */
  plugins: z.array(z.string()).default([]),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

import { z } from 'zod';

// Every object of a run config is strict: a misspelt key would otherwise be dropped without a word
// (`regularisers:` would turn the regularizers off).

/** A `type`-keyed component dict (MMEngine style); its other keys are validated by the component. */
export const ComponentConfig = z.looseObject({ type: z.string().min(1, 'type must name a registered component') });
export type ComponentConfig = z.infer<typeof ComponentConfig>;

export const OptimizerConfig = z.strictObject({
  type: z.enum(['sgd', 'adam']).default('sgd'),
  momentum: z.number().min(0).max(1).default(0.9),
  weightDecay: z.number().min(0).default(1e-4),
  /** Learning-rate multiplier of the head (decoder) relative to the backbone, as UniMatch uses 10. */
  headLrMultiplier: z.number().positive().default(1),
});

export const TrainConfig = z.strictObject({
  /** Epochs over the unlabelled set (or the labelled set for supervised runs). */
  epochs: z.number().int().positive().default(20),
  /** If set, stop after this many optimizer steps regardless of epochs. */
  maxSteps: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().default(8),
  /** Unlabelled images per step (defaults to batchSize). */
  unlabelledBatchSize: z.number().int().positive().optional(),
  lr: z.number().positive().default(0.001),
  lrSchedule: z.enum(['poly', 'constant']).default('poly'),
  lrPower: z.number().positive().default(0.9),
  optimizer: OptimizerConfig.prefault({}),
  seed: z.number().int().default(1),
  evalEvery: z.number().int().positive().default(1),
  checkpointEvery: z.number().int().positive().default(1),
  /**
   * Also write last.ckpt every N optimizer steps, so a crash loses at most N steps (checkpoints
   * are written at evaluations and on Ctrl-C/SIGTERM too). Writing one changes no number of the run.
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
  /** Validation images whose predictions each evaluation records for the gallery (ssseg serve, report, TensorBoard). */
  galleryImages: z.number().int().min(0).max(64).default(8),
});

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
  /** Plugin packages to load by name before building components. */
  plugins: z.array(z.string()).default([]),
});
export type RunConfig = z.infer<typeof RunConfigSchema>;
export type RunConfigInput = z.input<typeof RunConfigSchema>;

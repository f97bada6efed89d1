import { z } from 'zod';
import {
  ComponentConfig, ConfigError, RunConfigSchema, configTree, describeSource, formatZodIssues, overridesFrom,
  type ConfigOverrideOptions,
} from '@ssseg/core';

/**
 * A name that becomes part of a run's folder (`fixmatch+kl/1_64/seed1`): no `/` or `+`, which
 * separate the parts. Variant and method labels start with a letter, because a JS object puts
 * integer-like keys first and would reorder the variants.
 */
export const CompareLabel = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9._-]*$/, 'must start with a letter and hold only letters, digits, ".", "_" or "-"');

/** A split name substituted into `data.split` (`1_64`, `1464`); numbers are read as their text. */
export const SplitName = z
  .union([z.string(), z.number()])
  .transform(String)
  .pipe(z.string().regex(/^[A-Za-z0-9._-]+$/, 'must hold only letters, digits, ".", "_" or "-"'));

/** A method dict; `label` (optional, removed before the dict reaches the method) tells two runs of one type apart. */
export const CompareMethod = ComponentConfig.extend({ label: CompareLabel.optional() });

/** Method types with no unlabelled term, unless a compare file says otherwise. */
export const DEFAULT_SUPERVISED_METHODS: readonly string[] = ['supervised'];

export const CompareConfigSchema = z
  .strictObject({
    /** Shown as the report's title. */
    name: z.string().optional(),
    /** The run config every cell starts from; the axes below overwrite method, regularizers, data.split, train.seed. */
    base: RunConfigSchema,
    /** Default: the base's method alone. */
    methods: z.array(CompareMethod).min(1).optional(),
    /** Named regularizer lists, each replacing base.regularizers. Default: one variant holding base.regularizers. */
    variants: z.record(z.string(), z.array(ComponentConfig)).optional(),
    /** The variant others are compared with. Default: the first variant whose list is empty. */
    baselineVariant: CompareLabel.optional(),
    /** Values of data.split. Default: the base's data.split. */
    splits: z.array(SplitName).min(1).optional(),
    /** Values of train.seed. Default: the base's train.seed. */
    seeds: z.array(z.number().int()).min(1).optional(),
    /** Method types with no unlabelled term: a non-empty regularizer list on them is skipped. */
    supervisedMethods: z.array(z.string()).default([...DEFAULT_SUPERVISED_METHODS]),
  })
  .superRefine((c, ctx) => {
    const labels = new Map<string, number>();
    (c.methods ?? []).forEach((m, i) => {
      const label = methodLabel(m);
      if (labels.has(label)) {
        ctx.addIssue({ code: 'custom', path: ['methods', i], message: `duplicate method label '${label}' (also methods[${labels.get(label)}]); give one a \`label\`` });
      } else if (!m.label && !CompareLabel.safeParse(label).success) {
        ctx.addIssue({ code: 'custom', path: ['methods', i, 'type'], message: `'${label}' cannot name a run folder; give the method a \`label\`` });
      }
      labels.set(label, i);
    });
    duplicates(c.splits ?? [], (v, i) => ctx.addIssue({ code: 'custom', path: ['splits', i], message: `duplicate split '${v}'` }));
    duplicates(c.seeds ?? [], (v, i) => ctx.addIssue({ code: 'custom', path: ['seeds', i], message: `duplicate seed ${v}` }));
    for (const name of Object.keys(c.variants ?? {})) {
      const label = CompareLabel.safeParse(name);
      if (!label.success) ctx.addIssue({ code: 'custom', path: ['variants', name], message: `variant name ${label.error.issues[0].message}` });
    }
    if (c.variants && Object.keys(c.variants).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['variants'], message: 'name at least one variant (e.g. none: [])' });
    }
    if (c.baselineVariant && !(c.variants && c.baselineVariant in c.variants)) {
      ctx.addIssue({ code: 'custom', path: ['baselineVariant'], message: `'${c.baselineVariant}' is not one of the variants` });
    }
    if (!c.splits && typeof c.base.data.split !== 'string' && typeof c.base.data.split !== 'number') {
      ctx.addIssue({ code: 'custom', path: ['splits'], message: 'give the splits to compare, or set base.data.split' });
    }
  });
export type CompareConfig = z.infer<typeof CompareConfigSchema>;
export type CompareConfigInput = z.input<typeof CompareConfigSchema>;

export function methodLabel(method: z.infer<typeof CompareMethod>): string {
  return method.label ?? method.type;
}

function duplicates<T>(values: readonly T[], report: (value: T, index: number) => void): void {
  values.forEach((v, i) => {
    if (values.indexOf(v) !== i) report(v, i);
  });
}

/** Validates a compare config and fills defaults; every error names its config path. */
export function parseCompareConfig(raw: unknown, source = 'compare config'): CompareConfig {
  if (typeof raw === 'object' && raw !== null && 'model' in raw && !('base' in raw)) {
    throw new ConfigError("this is a run config (it has 'model:' and no 'base:'): train it with 'ssseg train --config'", source);
  }
  const parsed = CompareConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new ConfigError(`invalid compare config:\n${formatZodIssues(parsed.error.issues, '', CompareConfigSchema)}`, source);
  }
  return parsed.data;
}

/**
 * Reads a compare file (YAML or JSON) with what it `extends:` merged under it and the command
 * line's overrides applied: `--set` paths start at the file's top (`base.train.lr=0.01`), `--seed`
 * runs that one seed, `--threads` sets base.engine.threads. Errors name the file and the config path.
 */
export function loadCompareConfig(file: string, options: ConfigOverrideOptions = {}): CompareConfig {
  const overrides = overridesFrom(options, { seed: (n) => `seeds=[${n}]`, threads: (n) => `base.engine.threads=${n}` });
  return parseCompareConfig(configTree(file, overrides), describeSource(file, overrides));
}

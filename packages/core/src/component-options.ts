import { z } from 'zod';
import { ConfigError } from './errors';
import { formatZodIssues } from './config/zod-errors';
import { strictSchema } from './config/strict-schema';

/** What a component whose class declares no `options` schema takes: nothing. */
const NO_OPTIONS = z.strictObject({});

/**
 * A component's options (its config dict without `type`) validated by its `schema` made strict
 * (see strictSchema: unknown keys are errors whatever the schema wrote), defaults filled in.
 * Errors name `configPath` and what is being built (`Regularizer 'ipixmatch'`).
 */
export function validateOptions<S extends z.ZodType>(schema: S | undefined, options: unknown, configPath: string, component: string): z.output<S> {
  const strict = strictSchema(schema ?? NO_OPTIONS);
  const parsed = strict.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(`invalid options for ${component}:\n${formatZodIssues(parsed.error.issues, configPath, strict)}`, configPath);
  }
  return parsed.data as z.output<S>;
}

/**
 * The options a component class's constructor takes, from a config dict as the plugin host
 * validates it: for building a component with `new` (tests, benchmarks),
 * `new UNet(optionsFor(UNet, { numClasses: 3 }))`. Errors name the class's type.
 */
export function optionsFor<S extends z.ZodType>(component: { options: S; type?: string; name: string }, input: z.input<S>): z.output<S> {
  const type = component.type ?? component.name;
  return validateOptions(component.options, input, type, `'${type}'`);
}

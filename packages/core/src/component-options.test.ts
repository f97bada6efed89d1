import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions } from './tokens';
import { optionsFor } from './component-options';
import { ConfigError } from './errors';

/** True when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when its type argument is `true`: a failed check fails the package's typecheck. */
const assertType = <T extends true>(): T | undefined => undefined;

@injectable()
class Probe {
  static readonly type = 'probe';
  static options = z.object({
    weight: z.number().default(0.1),
    mode: z.enum(['fast', 'exact']).default('fast'),
    ramp: z.object({ steps: z.number().int() }).optional(),
  });
  constructor(@inject(ComponentOptions) readonly options: ComponentOptions<typeof Probe.options>) {}
}

describe('ComponentOptions', () => {
  it("is the output type of the class's options schema: defaults make keys required, and no other key exists", () => {
    assertType<Equal<Probe['options'], { weight: number; mode: 'fast' | 'exact'; ramp?: { steps: number } | undefined }>>();
    assertType<Equal<ComponentOptions<typeof Probe.options>['mode'], 'fast' | 'exact'>>();
    const probe = new Probe(optionsFor(Probe, {}));
    // @ts-expect-error a key the schema does not declare
    expect(probe.options.wieght).toBeUndefined();
    // @ts-expect-error the type of a declared key is the schema's
    const mode: number = probe.options.mode;
    expect(mode).toBe('fast');
  });

  it('optionsFor validates as the host does: defaults filled in, unknown keys refused with the type and the key meant', () => {
    expect(optionsFor(Probe, { ramp: { steps: 3 } })).toEqual({ weight: 0.1, mode: 'fast', ramp: { steps: 3 } });
    const typo = { weight: 1, wieght: 2 };
    expect(() => optionsFor(Probe, typo)).toThrow(ConfigError);
    expect(() => optionsFor(Probe, typo)).toThrow("probe.wieght: unknown key; did you mean 'weight'?");
    // @ts-expect-error optionsFor takes the schema's input type
    expect(() => optionsFor(Probe, { weight: 'high' })).toThrow(/probe\.weight: .*number/);
  });
});

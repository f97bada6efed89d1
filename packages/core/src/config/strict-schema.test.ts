import { z } from 'zod';
import { strictSchema } from './strict-schema';

const unknownKeys = (schema: z.ZodType, value: unknown) => {
  const parsed = strictSchema(schema).safeParse(value);
  return parsed.success ? [] : parsed.error.issues.filter((i) => i.code === 'unrecognized_keys').map((i) => [...i.path, ...i.keys].join('.'));
};

describe('strictSchema', () => {
  it('makes a plain object strict where zod would drop the unknown key', () => {
    const plain = z.object({ weight: z.number() });
    expect(plain.parse({ weight: 1, wieght: 3 })).toEqual({ weight: 1 });
    expect(unknownKeys(plain, { weight: 1, wieght: 3 })).toEqual(['wieght']);
  });

  it('reaches nested objects through optionals, defaults, arrays, tuples, records, unions, intersections and pipes', () => {
    const leaf = z.object({ steps: z.number() });
    const schema = z.object({
      optional: leaf.optional(),
      defaulted: leaf.default({ steps: 1 }),
      list: z.array(leaf),
      pair: z.tuple([leaf, leaf]),
      byName: z.record(z.string(), leaf),
      either: z.union([leaf, z.number()]),
      both: z.intersection(leaf, z.object({ rate: z.number() })),
      piped: leaf.transform((o) => o.steps),
    });
    const typo = { steps: 1, stesp: 2 };
    const value = {
      optional: typo, defaulted: typo, list: [{ steps: 1 }, typo], pair: [{ steps: 1 }, typo], byName: { a: typo },
      either: typo, both: { steps: 1, rate: 2, rtae: 3 }, piped: typo,
    };
    expect(schema.safeParse(value).success).toBe(true);
    const found = unknownKeys(schema, value);
    for (const key of ['optional.stesp', 'defaulted.stesp', 'list.1.stesp', 'pair.1.stesp', 'byName.a.stesp', 'piped.stesp']) expect(found).toContain(key);
    expect(strictSchema(schema).safeParse(value).success).toBe(false);
    // the union and the intersection fail on the key too (zod reports them as their own issues)
    expect(strictSchema(schema.pick({ either: true })).safeParse({ either: typo }).success).toBe(false);
    expect(strictSchema(schema.pick({ both: true })).safeParse({ both: { steps: 1, rate: 2, rtae: 3 } }).success).toBe(false);
  });

  it('keeps defaults, refinements and transforms, and an object that declares other keys (catchall)', () => {
    const schema = z
      .object({ low: z.number().default(1), high: z.number().default(2), extra: z.looseObject({ type: z.string() }).optional() })
      .refine((o) => o.low <= o.high, { message: 'low above high' });
    const strict = strictSchema(schema);
    expect(strict.parse({})).toEqual({ low: 1, high: 2 });
    expect(strict.parse({ extra: { type: 'a', anything: 1 } }).extra).toEqual({ type: 'a', anything: 1 });
    expect(strict.safeParse({ low: 3 }).error?.issues[0].message).toBe('low above high');
    expect(strictSchema(z.object({ a: z.number() }).transform((o) => o.a * 2)).parse({ a: 2 })).toBe(4);
  });

  it('returns a schema that is strict already as it is, and the same strict schema for the same schema', () => {
    const strict = z.strictObject({ a: z.number() });
    expect(strictSchema(strict)).toBe(strict);
    const plain = z.object({ a: z.number() });
    expect(strictSchema(plain)).toBe(strictSchema(plain));
    expect(strictSchema(plain)).not.toBe(plain);
  });

  it('ends on a recursive schema', () => {
    const Node = z.object({
      name: z.string(),
      get children() {
        return z.array(Node).optional();
      },
    });
    expect(unknownKeys(Node, { name: 'a', nmae: 'b' })).toEqual(['nmae']);
    expect(strictSchema(Node).parse({ name: 'a', children: [{ name: 'b' }] })).toEqual({ name: 'a', children: [{ name: 'b' }] });
  });
});

import { z } from 'zod';
import { closestNames, knownKeysAt } from './unknown-keys';

describe('closestNames', () => {
  const trainKeys = ['epochs', 'maxSteps', 'batchSize', 'unlabelledBatchSize', 'lr', 'lrSchedule', 'lrPower', 'optimizer', 'seed', 'evalEvery', 'checkpointEvery', 'evalEverySteps'];

  it('finds a misspelling, a missing letter, another case or separator, and swapped letters', () => {
    expect(closestNames('regularisers', ['method', 'regularizers', 'model'])).toEqual(['regularizers']);
    expect(closestNames('maxStep', trainKeys)).toEqual(['maxSteps']);
    expect(closestNames('weight_decay', ['type', 'momentum', 'weightDecay', 'headLrMultiplier'])).toEqual(['weightDecay']);
    expect(closestNames('BATCHSIZE', trainKeys)).toEqual(['batchSize']);
    expect(closestNames('epcohs', trainKeys)).toEqual(['epochs']);
  });

  it('offers only the closest, and nothing for another word', () => {
    expect(closestNames('evalEverySte', trainKeys)).toEqual(['evalEverySteps']);
    expect(closestNames('gpu', ['backend', 'threads'])).toEqual([]);
    expect(closestNames('x', ['lr'])).toEqual([]);
    expect(closestNames('lrpower', trainKeys)).toEqual(['lrPower']);
  });
});

describe('knownKeysAt', () => {
  const schema = z.strictObject({
    train: z.strictObject({ lr: z.number().default(1), optimizer: z.strictObject({ momentum: z.number().default(0.9) }).prefault({}) }).prefault({}),
    list: z.array(z.strictObject({ a: z.number() })).default([]),
    byName: z.record(z.string(), z.strictObject({ b: z.number() })).optional(),
    either: z.discriminatedUnion('type', [z.strictObject({ type: z.literal('x'), p: z.number() }), z.strictObject({ type: z.literal('y'), q: z.number() })]),
  }).superRefine(() => undefined);

  it('walks objects, defaults, arrays, records and unions to the object at a path', () => {
    expect(knownKeysAt(schema, []).sort()).toEqual(['byName', 'either', 'list', 'train']);
    expect(knownKeysAt(schema, ['train', 'optimizer'])).toEqual(['momentum']);
    expect(knownKeysAt(schema, ['list', 3])).toEqual(['a']);
    expect(knownKeysAt(schema, ['byName', 'anything'])).toEqual(['b']);
    expect(knownKeysAt(schema, ['either']).sort()).toEqual(['p', 'q', 'type']);
  });

  it('knows no keys where the path leads to no object', () => {
    expect(knownKeysAt(schema, ['train', 'lr'])).toEqual([]);
    expect(knownKeysAt(schema, ['nothing', 'here'])).toEqual([]);
  });
});

import * as path from 'path';
import { injectable } from 'inversify';
import { z } from 'zod';
import { tf, describeIf, expectNoLeak, initEngine } from '@ssseg/engine';
import {
  Method, ModelFactory, PluginHost, Rng, RunRegularizers, SegmentationModel, TinySegmentationModel, componentType,
  type Regularizer, type StepContext, type TrainBatch, type UnsupervisedContext,
} from '@ssseg/core';
import { relativeError, runTorchScript, torchUnavailableReason } from '@ssseg/models';
import plugin from './index';

const REFERENCE = path.join(__dirname, 'cps-reference.py');
const NUM_CLASSES = 3;

/** Pulls the student's logits towards the teacher's by their mean squared difference, logging it. */
@injectable()
class SquaredDifference implements Regularizer {
  static readonly type = 'squared-difference';
  static options = z.strictObject({});
  readonly type = componentType(this);
  readonly name = 'probe';
  loss({ views: [view], log }: UnsupervisedContext): tf.Scalar {
    const value = tf.tidy(() => view.studentLogits.sub(view.teacherLogits).square().mean() as tf.Scalar);
    log('probe/value', value.dataSync()[0]);
    return value;
  }
}

/** A fixed batch of 2 labelled and 2 unlabelled 6x6 images: ignore-index and padded pixels, a different CutMix box per image. */
function fixedBatch(): TrainBatch {
  const rng = Rng.fromSeed('cps-batch');
  const images = (n: number) => tf.tensor4d(Array.from({ length: n * 36 * 3 }, () => rng.uniform(-1, 1)), [n, 6, 6, 3]);
  const box = tf.tensor3d(Array.from({ length: 72 }, (_, i) => (i < 36 ? (i % 6 < 3 && i < 24 ? 1 : 0) : (i % 6 >= 2 && i % 36 >= 12 ? 1 : 0))), [2, 6, 6]);
  return {
    labelled: { images: images(2), masks: tf.tensor3d(Array.from({ length: 72 }, (_, i) => (i % 11 === 0 ? 255 : rng.int(NUM_CLASSES))), [2, 6, 6], 'int32') },
    unlabelled: {
      weak: images(2),
      strong: [images(2)],
      cutmixBoxes: [box],
      ignore: tf.tensor3d(Array.from({ length: 72 }, (_, i) => (i % 36 >= 30 ? 1 : 0)), [2, 6, 6]),
    },
  };
}

function disposeBatch(b: TrainBatch): void {
  const u = b.unlabelled!;
  tf.dispose([b.labelled.images, b.labelled.masks, u.weak, ...u.strong, ...u.cutmixBoxes, u.ignore]);
}

function stepContext(logs: Record<string, number> = {}): StepContext {
  return { step: 0, totalSteps: 10, epoch: 0, rng: Rng.fromSeed(5), log: (name, value) => (logs[name] = value) };
}

function host(): PluginHost {
  const h = new PluginHost();
  h.load(plugin);
  return h;
}

/** The method as a run builds it: the student from seed 1, the ModelFactory's second network from seed 1 + offset. */
function build(options: Record<string, unknown>, regularizers: Regularizer[] = []) {
  const h = host();
  const student = new TinySegmentationModel({ numClasses: NUM_CLASSES, width: 4, seed: 1 });
  const scope = h.createScope();
  scope.bind(SegmentationModel).toConstantValue(student);
  scope.bind(ModelFactory).toConstantValue((offset: number) => new TinySegmentationModel({ numClasses: NUM_CLASSES, width: 4, seed: 1 + offset }));
  scope.bind(RunRegularizers).toConstantValue(regularizers);
  let method: Method;
  try {
    method = h.build(Method, { type: 'cps', ...options }, 'method', scope);
  } catch (err) {
    student.dispose();
    throw err;
  }
  const second = method.trainedParts!().get('second') as SegmentationModel;
  return { method, student, second, dispose: () => { method.dispose!(); student.dispose(); } };
}

function asJson(t: tf.Tensor) {
  return { shape: t.shape, data: Array.from(t.dataSync()) };
}

interface Reference {
  sup: number;
  supSecond: number;
  cps: number;
  total: number;
  grads: Record<string, number[]>[];
}

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

describeIf(torchUnavailableReason(), 'cps loss against a PyTorch script of the official formula', () => {
  it.each([
    ['cps (labelled and unlabelled images together, cpsWeight 1.5)', false, 1.5],
    ['cps + CutMix (mixed unlabelled images, cpsWeight 1)', true, 1],
  ])('%s: terms, total and the gradients of both networks', async (_, cutmix, defaultWeight) => {
    await expectNoLeak(() => {
      const { method, student, second, dispose } = build({ cutmix });
      expect(method.strongViews).toBe(cutmix ? 1 : 0);
      const batch = fixedBatch();
      const u = batch.unlabelled!;
      const reference = runTorchScript<Reference>(REFERENCE, {
        cutmix,
        cpsWeight: defaultWeight,
        labelled: asJson(batch.labelled.images),
        masks: asJson(batch.labelled.masks),
        weak: asJson(u.weak),
        box: asJson(u.cutmixBoxes[0]),
        ignore: asJson(u.ignore),
        networks: [student, second].map((net) => Object.fromEntries([...net.getWeights()].map(([name, t]) => [name, asJson(t)]))),
      });

      const networks = [student, second].map((net) => [...net.trainableVariables()]);
      const terms: Record<string, number> = {};
      const { value, grads } = tf.variableGrads(() => {
        const out = method.losses(batch, stepContext());
        for (const [name, t] of Object.entries(out.terms)) terms[name] = t.dataSync()[0];
        return out.total;
      }, networks.flat().map(([, v]) => v));

      for (const name of ['sup', 'supSecond', 'cps'] as const) expect(relativeError([terms[name]], [reference[name]])).toBeLessThanOrEqual(1e-5);
      expect(relativeError(value.dataSync(), [reference.total])).toBeLessThanOrEqual(1e-5);
      networks.forEach((vars, n) => {
        for (const [name, v] of vars) {
          const expected = reference.grads[n][name];
          expect(expected.some((g) => g !== 0)).toBe(true);
          expect({ network: n, name, error: relativeError(grads[v.name].dataSync(), expected) <= 1e-5 }).toEqual({ network: n, name, error: true });
        }
      });
      tf.dispose([value, ...Object.values(grads)]);
      disposeBatch(batch);
      dispose();
    });
  });
});

describe('cps', () => {
  it('trains a second network of other initial weights as a part, evaluates the one `evaluate` names and frees it on dispose', async () => {
    await expectNoLeak(() => {
      const first = build({});
      const student = first.student.getWeights().get('encoder.weight')!, second = first.second.getWeights().get('encoder.weight')!;
      expect(Array.from(second.dataSync())).not.toEqual(Array.from(student.dataSync()));
      expect([...first.method.trainedParts!().keys()]).toEqual(['second']);
      expect(first.method.evalModel()).toBe(first.student);
      first.dispose();
      const evaluatingSecond = build({ evaluate: 'second' });
      expect(evaluatingSecond.method.evalModel()).toBe(evaluatingSecond.second);
      evaluatingSecond.dispose();
    });
  });

  it('applies each regularizer in both directions: the term is their sum, the second direction logs under second/', async () => {
    await expectNoLeak(() => {
      const { method, student, second, dispose } = build({}, [new SquaredDifference()]);
      const batch = fixedBatch();
      const logs: Record<string, number> = {};
      const probe = tf.tidy(() => method.losses(batch, stepContext(logs)).terms.probe.dataSync()[0]);
      const expected = tf.tidy(() => {
        const [a, b] = [student, second].map((net) => net.forward(batch.unlabelled!.weak, { training: false }).logits);
        return a.sub(b).square().mean().dataSync()[0];
      });
      expect(probe).toBeCloseTo(2 * expected, 5);
      expect(logs['probe/value']).toBeCloseTo(expected, 5);
      expect(logs['second/probe/value']).toBeCloseTo(expected, 5);
      disposeBatch(batch);
      dispose();
    });
  });

  it('refuses a regularizer named as one of its own terms', async () => {
    await expectNoLeak(() => {
      const named = Object.assign(new SquaredDifference(), { name: 'cps' });
      expect(() => build({}, [named])).toThrow("regularizers[0] is named 'cps', as a term of cps: give it another name");
    });
  });

  it.each([
    [{ cpsWeight: -1 }, 'method.cpsWeight'],
    [{ evaluate: 'mean' }, 'method.evaluate'],
    [{ cutmix: 'yes' }, 'method.cutmix'],
    [{ cpsweight: 1 }, "method.cpsweight: unknown key; did you mean 'cpsWeight'?"],
  ])('refuses bad options %j, naming the config path', (options, where) => {
    expect(() => host().parseOptions(host().lookup(Method, 'cps', 'method'), { type: 'cps', ...options }, 'method')).toThrow(where);
  });
});

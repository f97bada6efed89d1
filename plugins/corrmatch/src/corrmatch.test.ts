import * as path from 'path';
import { describeIf, expectNoLeak, initEngine, tf } from '@ssseg/engine';
import { Rng, TinySegmentationModel, mixWithPartner, type SegmentationModel, type StepContext, type TrainBatch, type TrainedPart } from '@ssseg/core';
import { relativeError, runTorchScript, torchUnavailableReason } from '@ssseg/models';
import { blockMean } from './block-mean';
import { buildMethod } from './testing/method-scope';
import type { CorrMatch } from './corrmatch';

const REFERENCE = path.join(__dirname, 'corrmatch-reference.py');
const B = 2, SIZE = 16, WIDTH = 4, CLASSES = 3;
const OPTIONS = { type: 'corrmatch', correlationStride: 4, projectionChannels: 16, thresholdInit: 0.55 };
const GRID_PIXELS = (SIZE / OPTIONS.correlationStride) ** 2;
const DROPOUT = 0.1, SAMPLES = 128;

interface Reference {
  terms: Record<string, number>;
  total: number;
  threshold: number;
  regionsApplied: number;
  regions: number;
  propagated: number;
  grads: Record<string, number[]>;
}

/** Labelled and unlabelled 16x16 images, masks with ignored pixels, CutMix boxes in different corners, padding rows. */
function fixedBatch(): TrainBatch {
  const rng = Rng.fromSeed('corrmatch-batch');
  const images = () => tf.tensor4d(Array.from({ length: B * SIZE * SIZE * 3 }, () => rng.uniform(-1, 1)), [B, SIZE, SIZE, 3]);
  const map = (f: (b: number, y: number, x: number) => number, dtype: 'float32' | 'int32' = 'float32') =>
    tf.tensor3d(Array.from({ length: B * SIZE * SIZE }, (_, i) => f(Math.floor(i / SIZE ** 2), Math.floor(i / SIZE) % SIZE, i % SIZE)), [B, SIZE, SIZE], dtype);
  return {
    labelled: { images: images(), masks: map((b, y, x) => ((x + 3 * y + b) % 11 === 0 ? 255 : (x > 8 ? 1 : 0) + (y > 10 ? 1 : 0)), 'int32') },
    unlabelled: {
      weak: images(),
      strong: [images()],
      cutmixBoxes: [map((b, y, x) => (b === 0 ? y < 7 && x < 9 : y >= 9 && x >= 5) ? 1 : 0)],
      ignore: map((b, y) => (b === 1 && y >= 14 ? 1 : 0)),
    },
  };
}

function disposeBatch(batch: TrainBatch): void {
  const u = batch.unlabelled!;
  tf.dispose([batch.labelled.images, batch.labelled.masks, u.weak, ...u.strong, ...u.cutmixBoxes, u.ignore]);
}

const json = (t: tf.Tensor) => ({ shape: t.shape, data: Array.from(t.dataSync()) });

function context(rng: Rng, logs: Record<string, number> = {}): StepContext {
  return { step: 0, totalSteps: 10, epoch: 0, rng, log: (name, value) => (logs[name] = value) };
}

/** The step's random draws in the method's documented order, replayed from a copy of its generator. */
function replayDraws(rng: Rng) {
  const replay = Rng.fromState(rng.state());
  const perturbation = Array.from({ length: B * WIDTH }, () => (replay.bernoulli(0.5) ? 2 : 0));
  const dropout = [0, 1, 2].map(() => ({
    shape: [B, OPTIONS.projectionChannels],
    data: Array.from({ length: B * OPTIONS.projectionChannels }, () => (replay.next() < DROPOUT ? 0 : 1 / (1 - DROPOUT))),
  }));
  const rows = Array.from({ length: SAMPLES }, () => replay.int(GRID_PIXELS - 1));
  return { perturbation: { shape: [B, WIDTH], data: perturbation }, dropout, rows, after: replay.state() };
}

/**
 * Non-zero biases in the head (they start at zero), so that their gradients are checked too and no
 * pixel's correlation row is exactly uniform (whose regions would hang on float rounding).
 */
function randomBiases(head: TrainedPart): void {
  const rng = Rng.fromSeed('biases');
  const biases = new Map([...head.getWeights()].filter(([n]) => n.endsWith('bias')).map(([n, t]) =>
    [n, tf.tensor1d(Array.from({ length: t.size }, () => rng.uniform(-0.5, 0.5)))] as const));
  head.setWeights(biases, { strict: false });
  tf.dispose([...biases.values()]);
}

function student(): SegmentationModel {
  return new TinySegmentationModel({ numClasses: CLASSES, width: WIDTH, seed: 7 });
}

describeIf(torchUnavailableReason(), 'corrmatch against an independent PyTorch computation of the official step', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('every term, the total, the dynamic threshold and the gradients reaching the student and the correlation head match (relative error <= 1e-5)', async () => {
    await expectNoLeak(() => {
      const model = student();
      const method = buildMethod(model, OPTIONS) as CorrMatch;
      const head = method.trainedParts().get('correlation')!;
      randomBiases(head);
      const batch = fixedBatch();
      const rng = Rng.fromSeed('step');
      const draws = replayDraws(rng);
      const reference = runTorchScript<Reference>(REFERENCE, {
        numClasses: CLASSES, pool: OPTIONS.correlationStride, threshold: OPTIONS.thresholdInit, momentum: 0.999,
        weights: { sup: 0.5, supCorr: 0.5, strong: 0.25, kl: 0.25, fp: 0.25, corr: 0.25 },
        student: Object.fromEntries([...model.getWeights()].map(([n, t]) => [n, json(t)])),
        head: Object.fromEntries([...head.getWeights()].map(([n, t]) => [n, json(t)])),
        labelled: { images: json(batch.labelled.images), masks: json(batch.labelled.masks) },
        weak: json(batch.unlabelled!.weak), strong: json(batch.unlabelled!.strong[0]),
        box: json(batch.unlabelled!.cutmixBoxes[0]), ignore: json(batch.unlabelled!.ignore),
        perturbation: draws.perturbation, dropout: draws.dropout, rows: draws.rows,
      });
      // the fixture exercises label propagation: some regions spread a label, others do not
      expect(reference.regionsApplied).toBeGreaterThan(0);
      expect(reference.regionsApplied).toBeLessThan(reference.regions);
      expect(reference.propagated).toBeGreaterThan(0);

      const variables = new Map([...model.trainableVariables(), ...[...head.trainableVariables()].map(([n, v]) => [`correlation/${n}`, v] as const)]);
      const logs: Record<string, number> = {};
      let terms: Record<string, number> = {};
      const { value, grads } = tf.variableGrads(() => {
        const losses = method.losses(batch, context(rng, logs));
        terms = Object.fromEntries(Object.entries(losses.terms).map(([k, t]) => [k, t.dataSync()[0]]));
        return losses.total;
      }, [...variables.values()]);
      expect(rng.state()).toEqual(draws.after); // every draw is accounted for, in the documented order

      expect(Object.keys(terms).sort()).toEqual(Object.keys(reference.terms).sort());
      for (const [name, expected] of Object.entries(reference.terms)) {
        expect({ name, value: terms[name], ok: relativeError([terms[name]], [expected]) <= 1e-5 }).toEqual({ name, value: terms[name], ok: true });
      }
      expect(relativeError(value.dataSync(), [reference.total])).toBeLessThanOrEqual(1e-5);
      expect(logs['corrmatch/threshold']).toBe(Math.fround(reference.threshold));
      const u = batch.unlabelled!;
      const valid = B * SIZE * SIZE - tf.tidy(() => mixWithPartner(u.ignore, u.cutmixBoxes[0]).sum().dataSync()[0]);
      expect(logs['corrmatch/propagated']).toBeCloseTo(reference.propagated / valid, 10);
      for (const [name, v] of variables) {
        const g = grads[v.name];
        expect({ name, has: g !== undefined }).toEqual({ name, has: true });
        const error = relativeError(g.dataSync(), reference.grads[name]);
        expect({ name, ok: error <= 1e-5 }).toEqual({ name, ok: true });
      }
      tf.dispose([value, ...Object.values(grads)]);
      disposeBatch(batch);
      method.dispose!();
      model.dispose();
    });
  });
});

describe('corrmatch', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it('has the official Pascal defaults, trains its correlation head beside the student and keeps the threshold as run state', async () => {
    await expectNoLeak(() => {
      const model = student();
      const method = buildMethod(model, { type: 'corrmatch' }) as CorrMatch;
      expect((method as unknown as { options: unknown }).options).toMatchObject({
        thresholdInit: 0.85, thresholdMomentum: 0.999, correlationStride: 8, correlationSamples: 128, projectionChannels: 256, projectionDropout: 0.1,
        weights: { sup: 0.5, supCorr: 0.5, strong: 0.25, kl: 0.25, fp: 0.25, corr: 0.25 },
      });
      const head = method.trainedParts().get('correlation')!;
      expect([...head.trainableVariables().keys()]).toEqual(
        ['proj.0.weight', 'proj.0.bias', 'proj.1.weight', 'proj.1.bias', 'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias']);
      expect(head.trainableVariables().get('proj.0.weight')!.shape).toEqual([3, 3, WIDTH, 256]);
      const state = method.state!();
      expect([...state.keys()]).toEqual(['threshold']);
      expect(state.get('threshold')!.dataSync()[0]).toBe(Math.fround(0.85));
      tf.dispose([...state.values()]);
      method.dispose!();
      model.dispose();
    });
  });

  it('a step moves the threshold; state() and loadState() carry it to another instance exactly', async () => {
    await expectNoLeak(() => {
      const model = student();
      const [a, b] = [buildMethod(model, OPTIONS), buildMethod(model, OPTIONS)];
      const batch = fixedBatch();
      tf.tidy(() => {
        a.losses(batch, context(Rng.fromSeed('step')));
      });
      const saved = a.state!();
      const moved = saved.get('threshold')!.dataSync()[0];
      expect(moved).not.toBe(Math.fround(OPTIONS.thresholdInit));
      b.loadState!(saved);
      const restored = b.state!();
      expect(restored.get('threshold')!.dataSync()[0]).toBe(moved);
      expect(() => b.loadState!(new Map())).toThrow(/corrmatch: the checkpoint's method state has no 'threshold' \(method\/threshold\)/);
      tf.dispose([...saved.values(), ...restored.values()]);
      disposeBatch(batch);
      [a, b].forEach((m) => m.dispose!());
      model.dispose();
    });
  });

  it('pools decoder features to the correlation grid by block means, the last blocks averaging the pixels they have', async () => {
    await expectNoLeak(() => {
      const x = tf.tensor4d(Array.from({ length: 5 * 5 * 2 }, (_, i) => (i % 2 ? -1 : 1) * Math.floor(i / 2)), [1, 5, 5, 2]);
      const pooled = blockMean(x, 2);
      expect(pooled.shape).toEqual([1, 3, 3, 2]);
      const at = (y: number, xx: number) => y * 5 + xx; // the value of channel 0 at (y, x); channel 1 is its negative
      const block = (cells: number[][]) => cells.reduce((sum, [y, xx]) => sum + at(y, xx), 0) / cells.length;
      const expected = [
        block([[0, 0], [0, 1], [1, 0], [1, 1]]), block([[0, 2], [0, 3], [1, 2], [1, 3]]), block([[0, 4], [1, 4]]),
        block([[2, 0], [2, 1], [3, 0], [3, 1]]), block([[2, 2], [2, 3], [3, 2], [3, 3]]), block([[2, 4], [3, 4]]),
        block([[4, 0], [4, 1]]), block([[4, 2], [4, 3]]), block([[4, 4]]),
      ];
      expect(Array.from(pooled.dataSync())).toEqual(expected.flatMap((v) => [v, -v]));
      tf.dispose([x, pooled]);
    });
  });

  it.each([
    [{ thresholdInit: 1.2 }, /method\.thresholdInit/],
    [{ thresholdMomentum: 1 }, /method\.thresholdMomentum/],
    [{ correlationStride: 0 }, /method\.correlationStride/],
    [{ correlationSamples: 2.5 }, /method\.correlationSamples/],
    [{ projectionDropout: -0.1 }, /method\.projectionDropout/],
    [{ weights: { corr: -1 } }, /method\.weights\.corr/],
    [{ weights: { corrr: 1 } }, /method\.weights\.corrr: unknown key/],
    [{ treshold: 0.9 }, /method\.treshold: unknown key/],
  ])('bad options %j are refused naming the config path', async (options, message) => {
    await expectNoLeak(() => {
      const model = student();
      expect(() => buildMethod(model, { type: 'corrmatch', ...options })).toThrow(message);
      model.dispose();
    });
  });

  it('refuses a correlation stride that is not a multiple of the model\'s output stride, and a model without decoder features', async () => {
    await expectNoLeak(() => {
      const model = student();
      const strided = Object.assign(Object.create(model) as SegmentationModel, { outputStride: 4 });
      expect(() => buildMethod(strided, { type: 'corrmatch', correlationStride: 6 }))
        .toThrow(/method: building Method 'corrmatch' .*failed: method\.correlationStride: 6 is not a multiple of the model's output stride 4/);
      const featureless = Object.assign(Object.create(model) as SegmentationModel, {
        forward: (x: tf.Tensor4D, o: Parameters<SegmentationModel['forward']>[1]) => ({ logits: model.forward(x, o).logits }),
      });
      expect(() => buildMethod(featureless, { type: 'corrmatch' })).toThrow(/corrmatch correlates the decoder features \(ForwardResult\.features\); model 'tiny' gives none/);
      model.dispose();
    });
  });
});

import { tf, expectNoLeak } from '@ssseg/engine';
import { Trainer } from './trainer';
import { trainedVariables } from './trained-variables';
import { Sgd } from '../optim/sgd';
import { Rng } from '../rng';
import type { Hook, Method, SegmentationModel, StepContext, TrainBatch } from '../tokens';

/** A per-pixel linear classifier: the smallest SegmentationModel. */
function linearModel(seed = 1): SegmentationModel {
  const rng = Rng.fromSeed(seed);
  const w = tf.tidy(() => tf.variable(tf.tensor2d(Array.from({ length: 6 }, () => rng.normal() * 0.1), [3, 2]), true, `w${seed}`));
  const vars = new Map([['head.weight', w]]);
  const model: SegmentationModel = {
    type: 'linear', numClasses: 2, outputStride: 1,
    forward: (x) => ({ logits: tf.tidy(() => (x.reshape([-1, 3]) as tf.Tensor2D).matMul(w as tf.Tensor2D).reshape([...x.shape.slice(0, 3), 2]) as tf.Tensor4D) }),
    trainableVariables: () => vars,
    getWeights: () => new Map([['head.weight', w as tf.Tensor]]),
    setWeights: (m) => w.assign(m.get('head.weight') as tf.Tensor2D),
    clone: () => model,
    dispose: () => w.dispose(),
  };
  return model;
}

function supervisedMethod(model: SegmentationModel, poison?: number): Method {
  return {
    type: 'test-supervised', usesUnlabelled: false, strongViews: 0,
    evalModel: () => model,
    losses(batch: TrainBatch, ctx: StepContext) {
      const { logits } = model.forward(batch.labelled.images, { training: true });
      const onehot = tf.oneHot(batch.labelled.masks.flatten(), 2).reshape(logits.shape);
      let ce = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
      if (poison !== undefined && ctx.step >= poison) ce = ce.mul(NaN);
      return { total: ce, terms: { sup: ce } };
    },
    afterStep: () => undefined,
  };
}

function batches(rng: Rng, n: number): () => AsyncIterable<TrainBatch> {
  return async function* () {
    for (let i = 0; i < n; i++) {
      const pixels = Array.from({ length: 2 * 4 * 4 * 3 }, () => rng.uniform(-1, 1));
      const images = tf.tensor4d(pixels, [2, 4, 4, 3]);
      // class 1 where the first channel is positive: a linearly separable task
      const masks = tf.tensor3d(pixels.filter((_, k) => k % 3 === 0).map((v) => (v > 0 ? 1 : 0)), [2, 4, 4], 'int32');
      yield { labelled: { images, masks } };
    }
  };
}

describe('Trainer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('lowers the loss, calls hooks in priority order and leaks no tensors', async () => {
    const model = linearModel();
    const events: string[] = [];
    const losses: number[] = [];
    const hook = (type: string, priority: number): Hook => ({
      type, priority,
      beforeRun: () => void events.push(`${type}:beforeRun`),
      afterEpoch: (ctx) => void events.push(`${type}:afterEpoch${ctx.epoch}`),
      afterStep: (ctx) => {
        if (type === 'log') losses.push(ctx.logs.loss);
      },
    });
    const optimizer = new Sgd({ momentum: 0.9, weightDecay: 0 });
    const dataRng = Rng.fromSeed(3);
    await expectNoLeak(async () => {
      const trainer = new Trainer({
        method: supervisedMethod(model), model, optimizer,
        paramGroups: [{ name: 'all', variables: model.trainableVariables(), lrMultiplier: 1 }],
        epochBatches: batches(dataRng, 10), epochs: 3, stepsPerEpoch: 10, learningRate: () => 0.5,
        hooks: [hook('log', 50), hook('ema', 10)], rng: Rng.fromSeed(1),
      });
      const result = await trainer.run();
      expect(result).toMatchObject({ steps: 30, failed: false });
      optimizer.dispose();
    });
    expect(events.slice(0, 2)).toEqual(['ema:beforeRun', 'log:beforeRun']);
    expect(events).toContain('log:afterEpoch2');
    expect(losses).toHaveLength(30);
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first * 0.7);
    model.dispose();
  });

  it('stops on a non-finite loss without applying that step', async () => {
    const model = linearModel(2);
    const optimizer = new Sgd({ momentum: 0, weightDecay: 0 });
    let weightsAtStop: number[] = [];
    const trainer = new Trainer({
      method: supervisedMethod(model, 3), model, optimizer,
      paramGroups: [{ name: 'all', variables: model.trainableVariables(), lrMultiplier: 1 }],
      epochBatches: batches(Rng.fromSeed(4), 10), epochs: 1, stepsPerEpoch: 10, learningRate: () => 0.1,
      hooks: [{ type: 'snap', priority: 1, afterStep: (ctx) => {
        if (ctx.step === 3) weightsAtStop = Array.from(model.getWeights().get('head.weight')!.dataSync());
      } }],
      rng: Rng.fromSeed(1),
    });
    const result = await trainer.run();
    expect(result.failed).toBe(true);
    expect(result.steps).toBe(3);
    expect(result.stoppedBecause).toMatch(/non-finite loss \(NaN\) at step 3/);
    expect(Array.from(model.getWeights().get('head.weight')!.dataSync())).toEqual(weightsAtStop);
    expect(Array.from(model.getWeights().get('head.weight')!.dataSync()).every(Number.isFinite)).toBe(true);
    model.dispose();
  });
});

describe('Trainer with a method that trains a part beside the student', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  /** Two linear classifiers averaged, the second a trained part: both must learn from one loss. */
  function twoNetworkMethod(student: SegmentationModel, second: SegmentationModel): Method {
    return {
      ...supervisedMethod(student),
      type: 'test-two-networks',
      losses(batch: TrainBatch) {
        const logits = tf.tidy(() =>
          student.forward(batch.labelled.images, { training: true }).logits.add(second.forward(batch.labelled.images, { training: true }).logits).div(2));
        const onehot = tf.oneHot(batch.labelled.masks.flatten(), 2).reshape(logits.shape);
        const ce = tf.losses.softmaxCrossEntropy(onehot, logits) as tf.Scalar;
        return { total: ce, terms: { sup: ce } };
      },
      trainedParts: () => new Map([['second', second]]),
    };
  }

  it("updates the part's variables from the same loss, with their own optimizer slots, and leaks no tensors", async () => {
    const student = linearModel(1), second = linearModel(2);
    const before = { student: student.getWeights().get('head.weight')!.arraySync(), second: second.getWeights().get('head.weight')!.arraySync() };
    const optimizer = new Sgd({ momentum: 0.9, weightDecay: 0 });
    const method = twoNetworkMethod(student, second);
    const numTensors = tf.memory().numTensors;
    const trainer = new Trainer({
      method, model: student, optimizer, epochs: 1, stepsPerEpoch: 3, learningRate: () => 0.5, rng: Rng.fromSeed(3),
      paramGroups: [
        { name: 'head', variables: student.trainableVariables(), lrMultiplier: 1 },
        { name: 'second/head', variables: new Map([['second/head.weight', second.trainableVariables().get('head.weight')!]]), lrMultiplier: 1 },
      ],
      epochBatches: batches(Rng.fromSeed(4), 3),
    });
    expect((await trainer.run()).steps).toBe(3);
    expect(student.getWeights().get('head.weight')!.arraySync()).not.toEqual(before.student);
    expect(second.getWeights().get('head.weight')!.arraySync()).not.toEqual(before.second);
    // one momentum slot per variable, the part's under its prefixed name
    const slots = optimizer.state();
    expect([...slots.keys()]).toEqual(expect.arrayContaining([expect.stringContaining('second/head.weight'), expect.stringMatching(/^head\.weight/)]));
    tf.dispose([...slots.values()]);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(numTensors);
    student.dispose();
    second.dispose();
  });

  it("refuses a part name that a checkpoint could not hold", () => {
    const student = linearModel(1), second = linearModel(2);
    const method = { ...twoNetworkMethod(student, second), trainedParts: () => new Map([['second/net', second]]) };
    expect(() => trainedVariables(student, method)).toThrow("test-two-networks: trained part 'second/net' needs a name of letters, digits and '-'");
    student.dispose();
    second.dispose();
  });
});

import { initEngine, tf } from '@ssseg/engine';
import { PluginHost, Rng, Sgd, disposeBatch, parseRunConfig, type AssembledRun, type StepContext, type TrainBatch } from '@ssseg/core';
import { modelsPlugin } from '@ssseg/models';
import unimatchPlugin from '@ssseg/plugin-unimatch';
import teachersPlugin from '@ssseg/plugin-teachers';
import pseudoLabelersPlugin from '@ssseg/plugin-pseudo-labelers';
import ipixmatchPlugin from '@ssseg/plugin-ipixmatch';
import { WARMUP_STEPS } from './warmup';
import { paramGroups, assembleRun } from '@ssseg/runner';
import { syntheticDatasetPlugin } from './synthetic-dataset';
import { median } from './record';
import { convFlopsOf } from './conv-flops';

/** Workload W2 (defined in BENCHMARKS.md): one UniMatch step of DeepLabV3+ ResNet-18, with and without IPixMatch. */
export interface W2Options {
  /** Backend to initialise first; omitted: the current one. */
  backend?: string;
  /** Timed steps of each variant (the median is reported); default 3. */
  steps?: number;
  /** Untimed steps of each variant first; default WARMUP_STEPS. */
  warmup?: number;
  /** Image side; default 128. */
  size?: number;
  labelled?: number;
  unlabelled?: number;
  numClasses?: number;
  seed?: number;
  /** The model config; default DeepLabV3+ ResNet-18, output stride 16. */
  model?: Record<string, unknown>;
  /** Options of the IPixMatch term beyond affinity, KL and every pixel kept (W5: stride 2). */
  term?: Record<string, unknown>;
}

export interface W2Result {
  backend: string;
  /** Median ms of one step without / with the IPixMatch term. */
  msPerStepWithout: number;
  msPerStepWith: number;
  /** (with - without) / with. */
  termShare: number;
  timesMsWithout: number[];
  timesMsWith: number[];
  /** Pixels per image the term relates (stride-4 logits of a strong view, all kept). */
  pixelsPerView: number;
  steps: number;
  /**
   * FLOPs of the convolutions of one step of each variant (forward, input and filter gradients;
   * convFlopsOf's rule), counted from the conv calls of its first warm-up step; absent without warm-up.
   */
  convFlopsPerStepWithout?: number;
  convFlopsPerStepWith?: number;
  /** Total loss of every step of each variant, warm-up included. */
  lossesWithout: number[];
  lossesWith: number[];
}

export const W2_MODEL = { type: 'deeplabv3plus', backbone: { type: 'resnet', depth: 18 }, outputStride: 16 };

/** A plugin host with the real plugins W2 uses, plus the synthetic dataset. */
export function w2Host(): PluginHost {
  const host = new PluginHost();
  for (const plugin of [modelsPlugin, unimatchPlugin, teachersPlugin, pseudoLabelersPlugin, ipixmatchPlugin, syntheticDatasetPlugin]) host.load(plugin);
  return host;
}

/** The run W2 times: UniMatch with every pixel pseudo-labelled, SGD, optionally IPixMatch (affinity, KL, every pixel kept). */
export function assembleW2(host: PluginHost, withTerm: boolean, o: Required<Omit<W2Options, 'backend'>>): AssembledRun {
  const config = parseRunConfig({
    method: { type: 'unimatch', pseudoLabeler: { type: 'threshold', confThreshold: 0 } },
    regularizers: withTerm ? [{ type: 'ipixmatch', relation: 'affinity', distance: 'kl', confThreshold: 0, ...o.term }] : [],
    model: o.model,
    data: { type: 'bench-synthetic', numClasses: o.numClasses, size: o.size, length: Math.max(o.labelled, o.unlabelled) },
    train: { seed: o.seed, batchSize: o.labelled, unlabelledBatchSize: o.unlabelled, optimizer: { type: 'sgd' } },
  }, 'bench w2');
  return assembleRun(host, config, 'bench w2');
}

/**
 * A fixed batch of the dataset's samples: labelled images and masks; unlabelled weak views,
 * two strong views (weak + noise, as colour jitter would change them) with their CutMix boxes.
 */
export async function w2Batch(run: AssembledRun, labelled: number, unlabelled: number, seed: number): Promise<TrainBatch> {
  const rng = Rng.fromSeed(`w2-batch/${seed}`);
  const lab = await Promise.all(Array.from({ length: labelled }, (_, i) => run.dataset.labelled().get(i)));
  const unl = await Promise.all(Array.from({ length: unlabelled }, (_, i) => run.dataset.unlabelled().get(i)));
  const { height: H, width: W } = lab[0];
  const stack = (arrays: ArrayLike<number>[]) => {
    const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    let k = 0;
    for (const a of arrays) for (let i = 0; i < a.length; i++) out[k++] = a[i];
    return out;
  };
  const box = () => {
    const m = new Float32Array(unlabelled * H * W);
    for (let b = 0; b < unlabelled; b++) {
      const h = 1 + rng.int(H >> 1), w = 1 + rng.int(W >> 1), y0 = rng.int(H - h), x0 = rng.int(W - w);
      for (let y = y0; y < y0 + h; y++) m.fill(1, b * H * W + y * W + x0, b * H * W + y * W + x0 + w);
    }
    return tf.tensor3d(m, [unlabelled, H, W]);
  };
  const weakData = stack(unl.map((s) => s.image));
  const strong = () => tf.tensor4d(weakData.map((v) => v + 0.1 * rng.normal()), [unlabelled, H, W, 3]);
  return {
    labelled: {
      images: tf.tensor4d(stack(lab.map((s) => s.image)), [labelled, H, W, 3]),
      masks: tf.tensor3d(Int32Array.from(stack(lab.map((s) => s.mask!))), [labelled, H, W], 'int32'),
    },
    unlabelled: {
      weak: tf.tensor4d(weakData, [unlabelled, H, W, 3]),
      strong: [strong(), strong()],
      cutmixBoxes: [box(), box()],
      ignore: tf.zeros([unlabelled, H, W]),
    },
  };
}

/** One training step as core's Trainer takes it: gradients of the method's total loss, one SGD update. */
export function w2Step(run: AssembledRun, batch: TrainBatch, lr = 1e-3): { step(index: number): number; dispose(): void } {
  const optimizer = new Sgd({ momentum: 0.9, weightDecay: 1e-4 });
  const groups = paramGroups(run.model, 10);
  const variables = [...run.model.trainableVariables().entries()];
  const byTfName = new Map(variables.map(([name, v]) => [v.name, name]));
  const step = (index: number): number => {
    const context: StepContext = { step: index, totalSteps: index + 1, epoch: 0, rng: run.rng, log: () => undefined };
    const { value, grads } = tf.variableGrads(() => run.method.losses(batch, context).total, variables.map(([, v]) => v));
    const loss = value.dataSync()[0];
    const named = new Map<string, tf.Tensor>();
    for (const [tfName, g] of Object.entries(grads)) named.set(byTfName.get(tfName) ?? tfName, g);
    optimizer.apply(groups, named, lr);
    run.method.afterStep(context);
    tf.dispose([value, ...Object.values(grads)]);
    // the update is queued work on some backends: wait for it so that it counts in this step
    variables[0][1].dataSync();
    return loss;
  };
  return { step, dispose: () => optimizer.dispose() };
}

/**
 * Times W2 steps without, then with, the IPixMatch term. Each variant builds, trains and disposes
 * its own model before the next is built, as bench/pytorch_reference.py does, so that the
 * process's peak RSS is one training's, comparable with PyTorch's.
 */
export async function runW2(options: W2Options = {}): Promise<W2Result> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as W2Options;
  const o = { steps: 3, warmup: WARMUP_STEPS, size: 128, labelled: 2, unlabelled: 2, numClasses: 21, seed: 1, model: W2_MODEL, term: {}, ...given };
  if (!(o.steps >= 1)) throw new Error(`runW2: steps must be at least 1, got ${o.steps}`);
  if (o.backend) await initEngine({ backend: o.backend, verbose: false });
  const host = w2Host();
  const times: number[][] = [[], []], losses: number[][] = [[], []], convFlops: Array<number | undefined> = [undefined, undefined];
  let outputStride = 1;
  for (const v of [0, 1]) {
    const run = assembleW2(host, v === 1, o);
    outputStride = run.model.outputStride;
    const batch = await w2Batch(run, o.labelled, o.unlabelled, o.seed);
    const stepper = w2Step(run, batch);
    try {
      for (let i = 0; i < o.warmup + o.steps; i++) {
        if (i === 0 && o.warmup > 0) {
          convFlops[v] = await convFlopsOf(() => losses[v].push(stepper.step(i)));
          continue;
        }
        const t0 = performance.now();
        losses[v].push(stepper.step(i));
        if (i >= o.warmup) times[v].push(performance.now() - t0);
      }
    } finally {
      stepper.dispose();
      run.teacher?.dispose();
      run.model.dispose();
      disposeBatch(batch);
    }
  }
  const [without, withTerm] = times.map(median);
  return {
    backend: tf.getBackend(), msPerStepWithout: without, msPerStepWith: withTerm, termShare: (withTerm - without) / withTerm,
    timesMsWithout: times[0], timesMsWith: times[1], pixelsPerView: Math.ceil(o.size / outputStride / Number(o.term.stride ?? 1)) ** 2,
    steps: o.steps, convFlopsPerStepWithout: convFlops[0], convFlopsPerStepWith: convFlops[1], lossesWithout: losses[0], lossesWith: losses[1],
  };
}

/**
 * Workload W5, the step the IPixMatch experiment pays for: W2's UniMatch step on mnist-seg's
 * shapes (8 + 8 images of 64x64, 11 classes; the synthetic dataset stands in for the digits) with
 * U-Net 16/3, the term at stride 2 (M = 32 x 32 per view).
 */
export function runW5(options: Pick<W2Options, 'backend' | 'steps' | 'warmup'> = {}): Promise<W2Result> {
  return runW2({
    size: 64, labelled: 8, unlabelled: 8, numClasses: 11,
    model: { type: 'unet', baseWidth: 16, depth: 3 }, term: { stride: 2 }, ...options,
  });
}

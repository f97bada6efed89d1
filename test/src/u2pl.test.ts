import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { tf, initEngine } from '@ssseg/engine';
import { PluginHost, Rng, parseRunConfig, readMetrics, trainedPartsOf, trainedVariables, type AssembledRun, type StepContext, type TrainBatch } from '@ssseg/core';
import { assembleRun } from '@ssseg/runner';
import { cliTesting } from '@ssseg/cli';
import teachers from '@ssseg/plugin-teachers';
import pseudoLabelers from '@ssseg/plugin-pseudo-labelers';
import ipixmatch from '@ssseg/plugin-ipixmatch';
import u2pl from '@ssseg/plugin-u2pl';
import { fixturesPlugin } from '@ssseg/core/testing';

const repo = path.resolve(__dirname, '../..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-u2pl-'));
// small enough for a 2x8x8 batch of 2 classes: 8 anchors and 4 negatives each, banks of 40 and 50 keys
const small = { type: 'u2pl', headChannels: 6, embeddingDim: 4, numQueries: 8, numNegatives: 4, queueSize: 40, backgroundQueueSize: 50, headDropout: 0.1 };

function host(): PluginHost {
  const h = new PluginHost();
  for (const p of [fixturesPlugin, teachers, pseudoLabelers, ipixmatch, u2pl]) h.load(p);
  return h;
}

function assemble(method: Record<string, unknown>, regularizers: Record<string, unknown>[] = []): AssembledRun {
  return assembleRun(host(), parseRunConfig({ method, regularizers, model: { type: 'tiny', width: 4 }, data: { type: 'stripes' }, train: { seed: 2 } }), 'test');
}

/** A fixed batch: 2 labelled and 2 unlabelled 8x8 images, a CutMix box over the top rows. */
function batch(seed: string): TrainBatch {
  const rng = Rng.fromSeed(seed);
  const images = (n: number) => tf.tensor4d(Array.from({ length: n * 8 * 8 * 3 }, () => rng.uniform(-1, 1)), [n, 8, 8, 3]);
  return {
    labelled: { images: images(2), masks: tf.tensor3d(Array.from({ length: 128 }, (_, i) => (i % 7 === 0 ? 255 : (i >> 3) % 2)), [2, 8, 8], 'int32') },
    unlabelled: {
      weak: images(2),
      strong: [images(2)],
      cutmixBoxes: [tf.tensor3d(Array.from({ length: 128 }, (_, i) => (i % 64 < 24 ? 1 : 0)), [2, 8, 8])],
      ignore: tf.tensor3d(Array.from({ length: 128 }, (_, i) => (i % 64 >= 56 ? 1 : 0)), [2, 8, 8]),
    },
  };
}

function disposeBatch(b: TrainBatch): void {
  tf.dispose([b.labelled.images, b.labelled.masks, b.unlabelled!.weak, ...b.unlabelled!.strong, ...b.unlabelled!.cutmixBoxes, b.unlabelled!.ignore]);
}

/** One optimizer-less step: the terms, the total and the gradient of every trained variable (student and head), by name. */
function step(run: AssembledRun, at: number, seed = 'batch'): { terms: Record<string, number>; total: number; grads: Record<string, number[]> } {
  const b = batch(seed);
  const context: StepContext = { step: at, totalSteps: 10, epoch: 0, rng: Rng.fromSeed(`rng:${at}`), log: () => undefined };
  const variables = trainedVariables(run.model, run.method);
  const names = new Map([...variables].map(([name, v]) => [v.name, name]));
  let terms: Record<string, number> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = run.method.losses(b, context);
    terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, t.dataSync()[0]]));
    return out.total;
  }, [...variables.values()]);
  const total = value.dataSync()[0];
  const byName = Object.fromEntries(Object.entries(grads).map(([tfName, g]) => [names.get(tfName)!, Array.from(g.dataSync())]));
  tf.dispose([value, ...Object.values(grads)]);
  disposeBatch(b);
  run.method.afterStep(context);
  return { terms, total, grads: byName };
}

function dispose(run: AssembledRun): void {
  run.method.dispose?.();
  run.teacher?.dispose();
  run.model.dispose();
}

beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));
afterAll(() => {
  cliTesting.killStartedProcesses();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('u2pl in a run (tiny network, stripes)', () => {
  it('L = sup + unsup + contra + regularizers; the gradients reach every student and head variable; no tensor leaks', () => {
    const before = tf.memory().numTensors;
    const run = assemble(small, [{ type: 'ipixmatch', distance: 'kl', confThreshold: 0, weight: 1, name: 'ipix' }]);
    const { terms, total, grads } = step(run, 1);
    expect(Object.keys(terms).sort()).toEqual(['contra', 'ipix', 'sup', 'unsup']);
    for (const name of ['sup', 'unsup', 'contra', 'ipix']) expect(terms[name]).toBeGreaterThan(0);
    expect(total).toBeCloseTo(terms.sup + terms.unsup + terms.contra + terms.ipix, 5);
    const headVariables = [...trainedPartsOf(run.method).get('head')!.trainableVariables().keys()].map((n) => `head/${n}`);
    expect(headVariables.length).toBe(10);
    for (const name of [...run.model.trainableVariables().keys(), ...headVariables]) {
      expect({ name, reached: grads[name]?.some((g) => g !== 0) }).toEqual({ name, reached: true });
    }
    dispose(run);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the teacher's head follows the student's head by the EMA teacher's decay after each step", () => {
    const before = tf.memory().numTensors;
    const run = assemble({ ...small, teacher: { type: 'ema', decay: 0.9, warmup: false } });
    const weight = '1.0.weight';
    const teacherHead = () => {
      const state = run.method.state!();
      const value = Array.from(state.get(`teacher-head/${weight}`)!.dataSync());
      tf.dispose([...state.values()]);
      return value;
    };
    const head = trainedPartsOf(run.method).get('head')!;
    const start = teacherHead();
    expect(start).toEqual(Array.from(head.getWeights().get(weight)!.dataSync())); // a copy of the head to begin with
    // move the student's head as an optimizer would, then let the method follow it
    const moved = head.getWeights().get(weight) as tf.Variable;
    tf.tidy(() => moved.assign(moved.add(1)));
    run.method.afterStep({ step: 0, totalSteps: 10, epoch: 0, rng: Rng.fromSeed(1), log: () => undefined });
    const now = Array.from(moved.dataSync());
    teacherHead().forEach((v, i) => expect(v).toBeCloseTo(0.9 * start[i] + 0.1 * now[i], 5));
    dispose(run);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a method restored from state() (teacher head, memory banks) and the weights takes the same next step as the one it came from', () => {
    const before = tf.memory().numTensors;
    const first = assemble(small);
    step(first, 0, 'a');
    step(first, 1, 'b');
    const copyWeights = (to: AssembledRun) => {
      to.model.setWeights(first.model.getWeights());
      to.teacher!.model().setWeights(first.teacher!.model().getWeights());
      trainedPartsOf(to.method).get('head')!.setWeights(trainedPartsOf(first.method).get('head')!.getWeights());
    };
    const resumed = assemble(small);
    copyWeights(resumed);
    const state = first.method.state!();
    expect([...state.keys()].filter((k) => k.startsWith('bank/keys/')).length).toBeGreaterThan(0);
    resumed.method.loadState!(state);
    tf.dispose([...state.values()]);
    // the same weights without the run state (empty banks, a fresh teacher head) take another step
    const forgetful = assemble(small);
    copyWeights(forgetful);
    const [a, b, c] = [first, resumed, forgetful].map((run) => step(run, 2, 'c'));
    expect(b.terms).toEqual(a.terms);
    expect(b.grads).toEqual(a.grads);
    expect(c.terms.contra).not.toEqual(a.terms.contra);
    [first, resumed, forgetful].forEach(dispose);
    expect(tf.memory().numTensors).toBe(before);
  });
});

function writeConfig(name: string, config: Record<string, unknown>): string {
  const file = path.join(root, `${name}.yaml`);
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

describe('u2pl through the CLI', () => {
  jest.setTimeout(600_000);

  it('composes with IPixMatch from the shipped config: metrics.jsonl logs loss/ipixmatch beside U2PL terms', async () => {
    const out = path.join(root, 'ipixmatch');
    const r = await cliTesting.runCliProcess([
      'train', '--config', path.join(repo, 'configs/mnist-seg/u2pl-ipixmatch.yaml'), '--out', out, '--threads', '1',
      '--set', 'train.maxSteps=2', '--set', 'train.evalEverySteps=2', '--set', 'train.batchSize=2',
      '--set', 'data.size=32', '--set', 'data.valSize=4', '--set', 'data.canvas=32', '--set', `data.cacheDir=${path.join(root, 'cache')}`,
      '--set', 'model.baseWidth=8', '--set', 'model.depth=2', '--set', 'method.numQueries=16', '--set', 'method.numNegatives=8',
    ]);
    if (r.code !== 0) throw new Error(`ssseg train exited ${r.code}:\n${r.stderr}`);
    const steps = readMetrics(path.join(out, 'metrics.jsonl')).filter((m) => m.event === 'step');
    expect(steps).toHaveLength(2);
    for (const m of steps) {
      for (const key of ['loss/sup', 'loss/unsup', 'loss/contra', 'loss/ipixmatch']) expect({ key, finite: Number.isFinite(m[key]) }).toEqual({ key, finite: true });
    }
  });

  it('bad U2PL options are an error naming the config path, without a stack trace', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ type: 'u2pl', lowRank: 5, highRank: 3 }, /method\.highRank: must exceed lowRank \(5\)/],
      [{ type: 'u2pl', temperature: 0 }, /method\.temperature/],
      [{ type: 'u2pl', queueSize: 0 }, /method\.queueSize/],
      [{ type: 'u2pl', numQueries: 2.5 }, /method\.numQueries/],
      [{ type: 'u2pl', dropPercent: 120 }, /method\.dropPercent/],
      [{ type: 'u2pl', numQuery: 8 }, /method\.numQuery: unknown key/],
    ];
    for (const [[method, message], i] of cases.map((c, i) => [c, i] as const)) {
      const file = writeConfig(`bad-${i}`, { method, model: { type: 'unet', baseWidth: 8, depth: 2 }, data: { type: 'mnist-seg' } });
      const r = await cliTesting.runCliProcess(['config', 'print', file]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain(file);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

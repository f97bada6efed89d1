import { tf, initEngine, expectArraysClose } from '@ssseg/engine';
import { ConfigError, Method, PluginHost, Rng, parseRunConfig, type AssembledRun, type TrainBatch } from '@ssseg/core';
import { assembleRun } from '@ssseg/runner';
import supervised from '@ssseg/plugin-supervised';
import fixmatch from '@ssseg/plugin-fixmatch';
import meanTeacher from '@ssseg/plugin-mean-teacher';
import unimatch from '@ssseg/plugin-unimatch';
import teachers from '@ssseg/plugin-teachers';
import pseudoLabelers from '@ssseg/plugin-pseudo-labelers';
import entropyMin from 'ssseg-plugin-entropy-min';
import ipixmatch from '@ssseg/plugin-ipixmatch';
import { fixturesPlugin } from '@ssseg/core/testing';

function host(): PluginHost {
  const h = new PluginHost();
  for (const p of [fixturesPlugin, supervised, fixmatch, meanTeacher, unimatch, teachers, pseudoLabelers, entropyMin, ipixmatch]) h.load(p);
  return h;
}

/** A fixed batch: 2 labelled and 2 unlabelled 8x8 images, CutMix boxes covering a corner. */
function batch(views: number): TrainBatch {
  const rng = Rng.fromSeed('batch');
  const images = (n: number) => tf.tensor4d(Array.from({ length: n * 8 * 8 * 3 }, () => rng.uniform(-1, 1)), [n, 8, 8, 3]);
  const box = tf.tensor3d(Array.from({ length: 2 * 64 }, (_, i) => (i % 64 < 24 ? 1 : 0)), [2, 8, 8]);
  const boxes = Array.from({ length: views }, () => box.clone());
  box.dispose();
  return {
    labelled: { images: images(2), masks: tf.tensor3d(Array.from({ length: 128 }, (_, i) => (i % 7 === 0 ? 255 : i % 2)), [2, 8, 8], 'int32') },
    unlabelled: {
      weak: images(2),
      strong: Array.from({ length: views }, () => images(2)),
      cutmixBoxes: boxes,
      ignore: tf.tensor3d(Array.from({ length: 128 }, (_, i) => (i % 64 >= 56 ? 1 : 0)), [2, 8, 8]),
    },
  };
}

function assemble(method: Record<string, unknown>, regularizers: Record<string, unknown>[] = []): AssembledRun {
  return assembleRun(host(), parseRunConfig({
    method, regularizers, model: { type: 'tiny', width: 4 }, data: { type: 'stripes' }, train: { seed: 2 },
  }), 'test');
}

/** Loss terms, the total and the gradient norm of each trainable variable of the student. */
function step(run: AssembledRun, logs: Record<string, number> = {}): { terms: Record<string, number>; total: number; gradNorms: number[] } {
  const b = batch(run.method.strongViews);
  const vars = [...run.model.trainableVariables().values()];
  let terms: Record<string, number> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = run.method.losses(b, { step: 0, totalSteps: 10, epoch: 0, rng: Rng.fromSeed(3), log: (name, v) => (logs[name] = v) });
    terms = Object.fromEntries(Object.entries(out.terms).map(([k, t]) => [k, t.dataSync()[0]]));
    return out.total;
  }, vars);
  const total = value.dataSync()[0];
  const gradNorms = vars.map((v) => (grads[v.name] ? tf.tidy(() => grads[v.name].norm().dataSync()[0]) : 0));
  tf.dispose([value, ...Object.values(grads), b.labelled.images, b.labelled.masks, b.unlabelled!.weak, ...b.unlabelled!.strong, ...b.unlabelled!.cutmixBoxes, b.unlabelled!.ignore]);
  return { terms, total, gradNorms };
}

describe('methods (golden tests on a fixed batch)', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['supervised', { type: 'supervised' }, ['sup']],
    // threshold 0 keeps every pseudo-label, so the unsupervised terms must be non-zero
    ['fixmatch', { type: 'fixmatch', pseudoLabeler: { type: 'threshold', confThreshold: 0 } }, ['sup', 'unsup']],
    ['mean-teacher', { type: 'mean-teacher', pseudoLabeler: { type: 'threshold', confThreshold: 0 } }, ['sup', 'unsup']],
    ['unimatch', { type: 'unimatch', pseudoLabeler: { type: 'threshold', confThreshold: 0 } }, ['sup', 's1', 's2', 'fp']],
  ];

  it.each(cases)('%s: every term is finite and non-zero, and gradients reach every student variable', (_name, method, expected) => {
    const before = tf.memory().numTensors;
    const run = assemble(method);
    const { terms, gradNorms } = step(run);
    expect(Object.keys(terms).sort()).toEqual([...expected].sort());
    for (const k of expected) {
      expect(Number.isFinite(terms[k])).toBe(true);
      expect(terms[k]).toBeGreaterThan(0);
    }
    expect(gradNorms.every((g) => g > 0)).toBe(true);
    run.teacher?.dispose();
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  // each method's formula over its logged terms, worked by hand from the papers; the regularizer is added after it
  const formulas: Array<[string, (t: Record<string, number>) => number]> = [
    ['fixmatch', (t) => (t.sup + t.unsup) / 2],
    ['mean-teacher', (t) => (t.sup + t.unsup) / 2],
    ['unimatch', (t) => (t.sup + 0.25 * t.s1 + 0.25 * t.s2 + 0.5 * t.fp) / 2],
  ];
  it.each(formulas)('%s: the total is its own formula plus every regularizer term, which the method base adds', (type, formula) => {
    const before = tf.memory().numTensors;
    const run = assemble({ type, pseudoLabeler: { type: 'threshold', confThreshold: 0 } }, [
      { type: 'entropy-min', weight: 1 },
      { type: 'ipixmatch', distance: 'kl', confThreshold: 0, weight: 1, name: 'ipix' },
    ]);
    const { terms, total } = step(run);
    expect(terms.entropy).toBeGreaterThan(0);
    expect(terms.ipix).toBeGreaterThan(0);
    expect(total).toBeCloseTo(formula(terms) + terms.entropy + terms.ipix, 5);
    run.teacher?.dispose();
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('supervised given regularizers is a config error naming the path (it has no unlabelled term for them)', () => {
    const build = () => assemble({ type: 'supervised' }, [{ type: 'entropy-min', weight: 1 }]);
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/^test: regularizers: method 'supervised' has no unlabelled term for a regularizer to act on/);
  });

  it('a regularizer named like one of the method\'s own terms is refused rather than overwriting it in the log', () => {
    const before = tf.memory().numTensors;
    const run = assemble({ type: 'fixmatch' }, [{ type: 'entropy-min', weight: 1, name: 'unsup' }]);
    const b = batch(1);
    const context = { step: 0, totalSteps: 1, epoch: 0, rng: Rng.fromSeed(1), log: () => undefined };
    expect(() => tf.tidy(() => run.method.losses(b, context).total)).toThrow(/a regularizer is named 'unsup', as a term of fixmatch: give it another name/);
    tf.dispose([b.labelled.images, b.labelled.masks, b.unlabelled!.weak, ...b.unlabelled!.strong, ...b.unlabelled!.cutmixBoxes, b.unlabelled!.ignore]);
    run.teacher?.dispose();
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the unsupervised term vanishes when no pseudo-label passes the threshold', () => {
    const run = assemble({ type: 'fixmatch', pseudoLabeler: { type: 'threshold', confThreshold: 1 } });
    expect(step(run).terms.unsup).toBe(0);
    run.teacher?.dispose();
    run.model.dispose();
  });

  it('mean-teacher: the EMA teacher receives no gradient and moves only through its update', () => {
    const run = assemble({ type: 'mean-teacher', teacher: { type: 'ema', decay: 0.99 } });
    const teacher = run.teacher!.model();
    expect(teacher).not.toBe(run.model);
    const teacherVars = [...teacher.trainableVariables().values()];
    const b = batch(1);
    const { value, grads } = tf.variableGrads(
      () => run.method.losses(b, { step: 0, totalSteps: 1, epoch: 0, rng: Rng.fromSeed(1), log: () => undefined }).total,
      [...teacherVars, ...run.model.trainableVariables().values()],
    );
    for (const v of teacherVars) {
      const g = grads[v.name];
      expect(g === undefined || tf.tidy(() => g.norm().dataSync()[0]) === 0).toBe(true);
    }
    const before = Array.from(teacherVars[0].dataSync());
    run.method.afterStep({ step: 50, totalSteps: 100, epoch: 0, rng: Rng.fromSeed(1), log: () => undefined });
    // the step was not applied, so the student still equals the teacher: the EMA is a fixed point
    expectArraysClose(teacherVars[0].dataSync(), before, 1e-6);
    tf.dispose([value, ...Object.values(grads), b.labelled.images, b.labelled.masks, b.unlabelled!.weak, ...b.unlabelled!.strong, ...b.unlabelled!.cutmixBoxes, b.unlabelled!.ignore]);
    run.teacher?.dispose();
    run.model.dispose();
  });

  it.each(['fixmatch', 'mean-teacher', 'unimatch'])('%s composes with a regularizer from config alone, and its term reaches the student', (type) => {
    const run = assemble({ type }, [{ type: 'entropy-min', weight: 1 }]);
    const { terms } = step(run);
    expect(terms.entropy).toBeGreaterThan(0);
    run.teacher?.dispose();
    run.model.dispose();
  });
});

describe('IPixMatch composes with every teacher-student method from config alone', () => {
  beforeAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it.each(['fixmatch', 'mean-teacher', 'unimatch'])('%s + ipixmatch (kl and correlation): the term is logged, non-zero and moves the student', (type) => {
    const before = tf.memory().numTensors;
    const run = assemble({ type }, [
      { type: 'ipixmatch', distance: 'kl', confThreshold: 0, weight: 1, name: 'ipix-kl' },
      { type: 'ipixmatch', distance: 'correlation', confThreshold: 0, weight: 1, name: 'ipix-corr' },
    ]);
    const withTerm = step(run);
    expect(withTerm.terms['ipix-kl']).toBeGreaterThan(0);
    expect(withTerm.terms['ipix-corr']).toBeGreaterThan(0);
    run.teacher?.dispose();
    run.model.dispose();
    // the same step without the regularizers gives different gradients: the term reaches the student
    const plain = assemble({ type });
    const without = step(plain);
    expect(without.gradNorms).not.toEqual(withTerm.gradNorms);
    plain.teacher?.dispose();
    plain.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['fixmatch', 'mean-teacher', 'unimatch'])('%s + ipixmatch gradRatioEvery: logs the gradient ratio against the method\'s unsupervised loss, and the step\'s gradients stay the same', (type) => {
    const before = tf.memory().numTensors;
    const regularizer = { type: 'ipixmatch', relation: 'affinity', rows: 'all', confThreshold: 0.5, weight: 0.5 };
    const measured = assemble({ type, pseudoLabeler: { type: 'threshold', confThreshold: 0 } }, [{ ...regularizer, gradRatioEvery: 1 }]);
    const logs: Record<string, number> = {};
    const withRatio = step(measured, logs);
    expect(logs['ipixmatch/gradRatioPerWeight']).toBeGreaterThan(0);
    expect(Number.isFinite(logs['ipixmatch/gradRatioPerWeight'])).toBe(true);
    expect(logs['ipixmatch/gradRatio']).toBeCloseTo(0.5 * logs['ipixmatch/gradRatioPerWeight'], 6);
    const plain = assemble({ type, pseudoLabeler: { type: 'threshold', confThreshold: 0 } }, [regularizer]);
    const plainLogs: Record<string, number> = {};
    const without = step(plain, plainLogs);
    expect(withRatio.gradNorms).toEqual(without.gradNorms);
    expect(withRatio.terms).toEqual(without.terms);
    expect(plainLogs['ipixmatch/gradRatio']).toBeUndefined();
    for (const run of [measured, plain]) {
      run.teacher?.dispose();
      run.model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

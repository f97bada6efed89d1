import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { PluginHost, Regularizer, Rng, resizeLogits, resizeMask, type StrongViewContext, type UnsupervisedContext } from '@ssseg/core';
import { interPixelLoss, unsupervisedCrossEntropy, type InterPixelOptions } from '@ssseg/losses';
import plugin, { IPixMatchRegularizer } from './index';

/** Random logits [B, H, W, C] with a dominant class on a share of the pixels. */
function logits(seed: number, shape: [number, number, number, number], confidentShare: number): tf.Tensor4D {
  const rng = Rng.fromSeed(seed);
  const [B, H, W, C] = shape;
  const v = new Float32Array(B * H * W * C);
  for (let p = 0; p < B * H * W; p++) {
    for (let c = 0; c < C; c++) v[p * C + c] = rng.normal();
    if (rng.bernoulli(confidentShare)) v[p * C + rng.int(C)] += 8;
  }
  return tf.tensor4d(v, shape);
}

function context(views: StrongViewContext[], step: number, logs: Record<string, number> = {}, unsupervisedLoss?: tf.Scalar): UnsupervisedContext {
  return {
    unsupervisedLoss,
    views,
    weakTeacherLogits: views[0].teacherLogits,
    inputSize: [8, 8],
    numClasses: views[0].teacherLogits.shape[3],
    step,
    totalSteps: 100,
    rng: Rng.fromSeed(42),
    log: (name, value) => {
      logs[name] = value;
    },
  };
}

describeWithBackends('ipixmatch regularizer', () => {
  const host = new PluginHost();
  host.load(plugin);
  const shape: [number, number, number, number] = [2, 4, 4, 3];

  function views(): StrongViewContext[] {
    const ignore = tf.tensor3d(Array.from({ length: 32 }, (_, i) => (i % 7 === 0 ? 1 : 0)), [2, 4, 4]);
    return [0, 1].map((v) => ({
      teacherLogits: logits(10 + v, shape, 0.6),
      studentLogits: logits(20 + v, shape, 0.3),
      ignoreMask: v === 0 ? ignore : ignore.clone(),
    }) as StrongViewContext);
  }
  const disposeViews = (vs: StrongViewContext[]) => vs.forEach((v) => tf.dispose([v.teacherLogits, v.studentLogits, v.ignoreMask]));

  it('is built from a config dict with the documented defaults', () => {
    const reg = host.build(Regularizer, { type: 'ipixmatch' }, 'regularizers[0]') as IPixMatchRegularizer;
    expect(reg).toBeInstanceOf(IPixMatchRegularizer);
    expect(reg.name).toBe('ipixmatch');
    expect(reg.opts).toMatchObject({
      relation: 'affinity', distance: 'kl', weight: 0.3, confThreshold: 0.95, maxPixels: null, resolution: 'output', stride: 1, rampUp: 0,
      rows: 'confident', columns: 'confident', perClass: null, scope: 'image', classes: 'all', gradRatioEvery: 0,
      teacherTemperature: 1, studentTemperature: 1, chunkRows: 1024, stdFloor: 0.01, epsilon: 1e-8,
    });
    // its options' type is its schema's output: a key the schema does not declare does not compile
    // @ts-expect-error
    expect(reg.opts.wieght).toBeUndefined();
    expect(host.typesOf(Regularizer)).toContain('ipixmatch');
  });

  it('rejects bad options naming the config path', () => {
    expect(() => host.build(Regularizer, { type: 'ipixmatch', distance: 'l1' }, 'regularizers[1]')).toThrow(/regularizers\[1\]\.distance/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', maxPixels: 1 }, 'regularizers[0]')).toThrow(/regularizers\[0\]\.maxPixels/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', perClass: 0 }, 'regularizers[0]')).toThrow(/regularizers\[0\]\.perClass/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', scope: 'dataset' }, 'regularizers[0]')).toThrow(/regularizers\[0\]\.scope/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', relation: 'spatial', rows: 'all' }, 'regularizers[2]'))
      .toThrow(/regularizers\[2\]\.rows: applies to relation 'affinity' only/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', classes: 'present' }, 'regularizers[0]'))
      .toThrow(/regularizers\[0\]\.classes: applies to relation 'spatial' only/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', gradRatioEvery: -1 }, 'regularizers[0]')).toThrow(/regularizers\[0\]\.gradRatioEvery/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', wieght: 1 }, 'regularizers[0]')).toThrow("regularizers[0].wieght: unknown key; did you mean 'weight'?");
  });

  it('passes rows, columns, perClass, scope and classes to the inter-pixel term', async () => {
    await expectNoLeak(() => {
      const vs = views();
      const settings: Partial<InterPixelOptions>[] = [
        { rows: 'all', columns: 'confident' },
        { perClass: 2, scope: 'batch' },
        { relation: 'spatial', classes: 'present', columns: 'all' },
      ];
      for (const setting of settings) {
        const reg = host.build(Regularizer, { type: 'ipixmatch', weight: 1, ...setting }, 'regularizers[0]');
        const expected = tf.tidy(() => {
          const terms = vs.map((v) => interPixelLoss(v.teacherLogits, v.studentLogits, { ...setting, ignoreMask: v.ignoreMask }).dataSync()[0]);
          return (terms[0] + terms[1]) / 2;
        });
        const plain = tf.tidy(() => {
          const terms = vs.map((v) => interPixelLoss(v.teacherLogits, v.studentLogits, { relation: setting.relation, ignoreMask: v.ignoreMask }).dataSync()[0]);
          return (terms[0] + terms[1]) / 2;
        });
        expect(Math.abs(expected - plain)).toBeGreaterThan(1e-6); // the setting changes the term
        const value = reg.loss(context(vs, 0));
        expectArraysClose(value.dataSync(), [expected]);
        value.dispose();
      }
      disposeViews(vs);
    });
  });

  it('every gradRatioEvery steps logs the ratio of its gradient norm on the student logits to the unsupervised loss\'s, leaving the gradients as they were', async () => {
    await expectNoLeak(() => {
      const vs = views();
      const reg = host.build(Regularizer, { type: 'ipixmatch', weight: 2, rampUp: 10, gradRatioEvery: 3, confThreshold: 0.5 }, 'regularizers[0]');
      const quiet = host.build(Regularizer, { type: 'ipixmatch', weight: 2, rampUp: 10, confThreshold: 0.5 }, 'regularizers[0]');
      const labels = vs.map((v) => tf.tidy(() => v.teacherLogits.argMax(-1) as tf.Tensor3D));
      // a stand-in for the method's unsupervised loss, with a coefficient as methods apply them
      const ce = (...students: tf.Tensor[]) =>
        tf.addN(students.map((s, i) => unsupervisedCrossEntropy(s as tf.Tensor4D, labels[i], tf.onesLike(labels[i]).toFloat() as tf.Tensor3D, vs[i].ignoreMask))).mul(0.125) as tf.Scalar;
      const term = (...students: tf.Tensor[]) =>
        tf.addN(students.map((s, i) => interPixelLoss(vs[i].teacherLogits, s as tf.Tensor4D, { confThreshold: 0.5, ignoreMask: vs[i].ignoreMask }))).div(2) as tf.Scalar;
      const norm = (grads: tf.Tensor[]) => tf.tidy(() => Math.sqrt(tf.addN(grads.map((g) => g.square().sum())).dataSync()[0]));
      const students = vs.map((v) => v.studentLogits);
      const termGrads = tf.grads(term)(students);
      const ceGrads = tf.grads(ce)(students);
      const expectedPerWeight = norm(termGrads) / norm(ceGrads);
      tf.dispose([...termGrads, ...ceGrads]);
      expect(expectedPerWeight).toBeGreaterThan(0);

      const stepGrads = (r: Regularizer, step: number, logs: Record<string, number>) =>
        tf.grads((...s: tf.Tensor[]) => {
          const unsup = ce(...s);
          const viewsOf = vs.map((v, i) => ({ ...v, studentLogits: s[i] as tf.Tensor4D }));
          return r.loss(context(viewsOf, step, logs, unsup)).add(unsup) as tf.Scalar;
        })(students);
      for (const step of [6, 7]) {
        const logs: Record<string, number> = {};
        const measured = stepGrads(reg, step, logs);
        const plain = stepGrads(quiet, step, {});
        measured.forEach((g, i) => expect(Array.from(g.dataSync())).toEqual(Array.from(plain[i].dataSync())));
        if (step === 6) {
          expectArraysClose([logs['ipixmatch/gradRatioPerWeight']], [expectedPerWeight], 1e-4);
          expectArraysClose([logs['ipixmatch/gradRatio']], [2 * 0.6 * expectedPerWeight], 1e-4);
        } else {
          expect(logs['ipixmatch/gradRatio']).toBeUndefined(); // 7 is not a multiple of 3
          expect(logs['ipixmatch/value']).toBeGreaterThan(0);
        }
        tf.dispose([...measured, ...plain]);
      }
      expect(() => tf.grads((...s: tf.Tensor[]) => reg.loss(context(vs.map((v, i) => ({ ...v, studentLogits: s[i] as tf.Tensor4D })), 0)))(students))
        .toThrow(/gradRatioEvery needs the method's unsupervised loss/);
      tf.dispose(labels);
      disposeViews(vs);
    });
  });

  it('returns weight x ramp x the mean over views of the inter-pixel term, and logs its statistics', async () => {
    await expectNoLeak(() => {
      const vs = views();
      for (const [relation, distance] of [['affinity', 'kl'], ['affinity', 'correlation'], ['spatial', 'kl']] as const) {
        const reg = host.build(Regularizer, { type: 'ipixmatch', relation, distance, weight: 2, rampUp: 10, name: 'ipm' }, 'regularizers[0]');
        const expected = tf.tidy(() => {
          const terms = vs.map((v) => interPixelLoss(v.teacherLogits, v.studentLogits, { relation, distance, ignoreMask: v.ignoreMask }).dataSync()[0]);
          return (terms[0] + terms[1]) / 2;
        });
        expect(expected).toBeGreaterThan(0);
        const logs: Record<string, number> = {};
        const atFour = reg.loss(context(vs, 4, logs));
        expectArraysClose(atFour.dataSync(), [2 * 0.4 * expected]);
        expectArraysClose([logs['ipm/value']], [expected]);
        expect(logs['ipm/confident']).toBeGreaterThan(0.3);
        expect(logs['ipm/confident']).toBeLessThan(0.9);
        expect(logs['ipm/pixels']).toBeGreaterThan(2);
        const atStart = reg.loss(context(vs, 0));
        const late = reg.loss(context(vs, 50));
        expect(atStart.dataSync()[0]).toBe(0);
        expectArraysClose(late.dataSync(), [2 * expected]);
        tf.dispose([atFour, atStart, late]);
      }
      disposeViews(vs);
    });
  });

  it('sends gradients to the student logits only', async () => {
    await expectNoLeak(() => {
      const vs = views();
      const reg = host.build(Regularizer, { type: 'ipixmatch' }, 'regularizers[0]');
      const [gs, gt] = tf.grads((s: tf.Tensor, t: tf.Tensor) =>
        reg.loss(context([{ ...vs[0], studentLogits: s as tf.Tensor4D, teacherLogits: t as tf.Tensor4D }], 0)),
      )([vs[0].studentLogits, vs[0].teacherLogits]);
      expect(Array.from(gs.dataSync()).some((g) => Math.abs(g) > 1e-6)).toBe(true);
      expect(Array.from(gt.dataSync()).every((g) => g === 0)).toBe(true);
      tf.dispose([gs, gt]);
      disposeViews(vs);
    });
  });

  it("at resolution 'input' compares the logits upsampled to the view size", async () => {
    await expectNoLeak(() => {
      const vs = views();
      const reg = host.build(Regularizer, { type: 'ipixmatch', resolution: 'input', weight: 1, confThreshold: 0.9 }, 'regularizers[0]');
      const expected = tf.tidy(() => {
        const v = vs[1];
        return interPixelLoss(resizeLogits(v.teacherLogits, [8, 8]), resizeLogits(v.studentLogits, [8, 8]), {
          confThreshold: 0.9, ignoreMask: resizeMask(v.ignoreMask, [8, 8]),
        }).dataSync()[0];
      });
      const value = reg.loss(context([vs[1]], 0));
      expectArraysClose(value.dataSync(), [expected]);
      value.dispose();
      disposeViews(vs);
    });
  });

  it('at stride 2 compares the logits shrunk to half size, and its value changes with the stride', async () => {
    await expectNoLeak(() => {
      const vs = views();
      const v = vs[1];
      const [h, w] = [v.studentLogits.shape[1], v.studentLogits.shape[2]];
      const half: [number, number] = [Math.ceil(h / 2), Math.ceil(w / 2)];
      const reg = host.build(Regularizer, { type: 'ipixmatch', stride: 2, weight: 1, confThreshold: 0.5 }, 'regularizers[0]');
      const full = host.build(Regularizer, { type: 'ipixmatch', weight: 1, confThreshold: 0.5 }, 'regularizers[0]');
      const expected = tf.tidy(() =>
        interPixelLoss(resizeLogits(v.teacherLogits, half), resizeLogits(v.studentLogits, half), {
          confThreshold: 0.5, ignoreMask: resizeMask(v.ignoreMask, half),
        }).dataSync()[0]);
      const value = reg.loss(context([v], 0));
      const atFull = full.loss(context([v], 0));
      expectArraysClose(value.dataSync(), [expected]);
      expect(Math.abs(value.dataSync()[0] - atFull.dataSync()[0])).toBeGreaterThan(1e-6);
      tf.dispose([value, atFull]);
      disposeViews(vs);
    });
    expect(() => host.build(Regularizer, { type: 'ipixmatch', stride: 0 }, 'regularizers[0]')).toThrow(/regularizers\[0\]\.stride/);
  });

  it('samples maxPixels from the run RNG: same seed and step, same value', async () => {
    await expectNoLeak(() => {
      const vs = views();
      const reg = host.build(Regularizer, { type: 'ipixmatch', maxPixels: 4, confThreshold: 0 }, 'regularizers[0]');
      const logs: Record<string, number> = {};
      const a = reg.loss(context(vs, 3, logs));
      const b = reg.loss(context(vs, 3));
      const c = reg.loss(context(vs, 4));
      expect(a.dataSync()[0]).toBe(b.dataSync()[0]);
      expect(a.dataSync()[0]).not.toBe(c.dataSync()[0]);
      expect(logs['ipixmatch/pixels']).toBe(4);
      tf.dispose([a, b, c]);
      disposeViews(vs);
    });
  });
});

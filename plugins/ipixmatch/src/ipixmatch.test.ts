import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { PluginHost, Regularizer, Rng, resizeLogits, resizeMask, type StrongViewContext, type UnsupervisedContext } from '@ssseg/core';
import { interPixelLoss } from '@ssseg/losses';
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

function context(views: StrongViewContext[], step: number, logs: Record<string, number> = {}): UnsupervisedContext {
  return {
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
    });
    expect(host.typesOf(Regularizer)).toContain('ipixmatch');
  });

  it('rejects bad options naming the config path', () => {
    expect(() => host.build(Regularizer, { type: 'ipixmatch', distance: 'l1' }, 'regularizers[1]')).toThrow(/regularizers\[1\]\.distance/);
    expect(() => host.build(Regularizer, { type: 'ipixmatch', maxPixels: 1 }, 'regularizers[0]')).toThrow(/regularizers\[0\]\.maxPixels/);
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

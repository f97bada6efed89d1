import { tf, describeWithBackends, expectArraysClose, expectNoLeak } from '@ssseg/engine';
import { PluginHost, PseudoLabeler } from '@ssseg/core';
import plugin from './index';

describeWithBackends('pseudo-labelers', () => {
  const host = new PluginHost();
  host.load(plugin);
  // two pixels, three classes: a confident one and an uncertain one
  const logits = [[5, 0, 0], [0.2, 0.1, 0]];
  const softmax = (row: number[], t = 1) => {
    const e = row.map((v) => Math.exp(v / t));
    const s = e.reduce((a, b) => a + b);
    return e.map((v) => v / s);
  };

  it('threshold keeps only confident pixels, with argmax labels', async () => {
    await expectNoLeak(() => {
      const labeler = host.build(PseudoLabeler, { type: 'threshold', confThreshold: 0.9 }, 'method.pseudoLabeler');
      const input = tf.tensor4d(logits.flat(), [1, 1, 2, 3]);
      const out = labeler.label(input);
      expect(Array.from(out.labels.dataSync())).toEqual([0, 0]);
      expectArraysClose(out.confidence.dataSync(), [softmax(logits[0])[0], softmax(logits[1])[0]]);
      expect(Array.from(out.mask.dataSync())).toEqual([1, 0]);
      tf.dispose([input, out.probs, out.labels, out.confidence, out.mask]);
    });
  });

  it('soft applies the temperature', async () => {
    await expectNoLeak(() => {
      const labeler = host.build(PseudoLabeler, { type: 'soft', temperature: 0.5 }, 'method.pseudoLabeler');
      const input = tf.tensor4d(logits.flat(), [1, 1, 2, 3]);
      const out = labeler.label(input);
      expectArraysClose(out.probs.dataSync(), [...softmax(logits[0], 0.5), ...softmax(logits[1], 0.5)], 1e-5);
      expect(Array.from(out.mask.dataSync())).toEqual([1, 1]);
      tf.dispose([input, out.probs, out.labels, out.confidence, out.mask]);
    });
  });

  it('rejects an unknown option, naming it', () => {
    expect(() => host.build(PseudoLabeler, { type: 'threshold', confThreshhold: 0.9 }, 'method.pseudoLabeler'))
      .toThrow("method.pseudoLabeler.confThreshhold: unknown key; did you mean 'confThreshold'?");
  });

  it('rejects a threshold outside [0, 1] naming the path', () => {
    expect(() => host.build(PseudoLabeler, { type: 'threshold', confThreshold: 2 }, 'method.pseudoLabeler'))
      .toThrow(/method\.pseudoLabeler\.confThreshold/);
  });
});

import * as path from 'path';
import { tf, describeIf, expectNoLeak, initEngine } from '@ssseg/engine';
import { Rng } from '@ssseg/core';
import { relativeError, runTorchScript, torchUnavailableReason } from '@ssseg/models';
import { RepresentationHead } from './representation-head';
import { ClassMemoryBanks } from './memory-bank';
import { reliableCrossEntropy } from './reliable-cross-entropy';
import { entropyBands } from './entropy-bands';
import { pixelEvidence } from './contrastive-pixels';
import { memoryBankContrastive, type ContrastiveDraw } from './contrastive-loss';

const SCRIPT = path.join(__dirname, 'u2pl-reference.py');

interface TorchResult {
  unsup: number;
  unsupGrad: number[];
  contra: number;
  featuresGrad: number[];
  headGrads: Record<string, number[]>;
  banks: number[][];
  drawn: number[];
}

// Two labelled images and two strong views of 6x6 pixels, 4 classes, features of 5 channels,
// a head of 6 hidden channels embedding in 4 dimensions; logits at the features' resolution.
const [NL, NU, H, W, C, F, D] = [2, 2, 6, 6, 4, 5, 4];
const settings = {
  numClasses: C, dropPercent: 80, alpha: 20, temperature: 0.5, numQueries: 5, numNegatives: 3,
  lowRank: 2, highRank: 4, positiveThreshold: 0.3, negativeThreshold: 1,
};
const capacities = [12, 10, 10, 10];

function normal(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

const entry = (t: tf.Tensor) => ({ shape: t.shape, data: Array.from(t.dataSync()) });

describeIf(torchUnavailableReason(), 'U2PL losses against a PyTorch computation of the official formulas', () => {
  beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

  it('gives the values and the gradients to the student logits, the features and the head that torch gives', async () => {
    await expectNoLeak(() => {
      const rng = Rng.fromSeed(7);
      const head = new RepresentationHead({ inChannels: F, channels: 6, dim: D, dropout: 0 }, rng);
      const banks = new ClassMemoryBanks(capacities, D);
      // class 0 part-filled, class 1 wrapped around, class 2 empty, class 3 exactly full
      const filled = [7, 13, 0, 10];
      filled.forEach((n, c) => {
        const rows = Float32Array.from({ length: n * D }, () => rng.normal());
        banks.push(c, rows, Int32Array.from({ length: n }, (_, i) => i));
      });
      const before = capacities.map((_, c) => Array.from(banks.size(c) ? banks.gather(c, Int32Array.from({ length: banks.size(c) }, (_, i) => i)) : []));

      const t = tf.tidy(() => ({
        features: normal(rng, [NL + NU, H, W, F]) as tf.Tensor4D,
        teacherRep: normal(rng, [NL + NU, H, W, D]) as tf.Tensor4D,
        labelledTeacherLogits: normal(rng, [NL, H, W, C], 2) as tf.Tensor4D,
        unlabelledTeacherLogits: normal(rng, [NU, H, W, C], 2) as tf.Tensor4D,
        studentLogits: normal(rng, [NU, H, W, C]) as tf.Tensor4D,
        labelledMasks: tf.tensor3d(Int32Array.from({ length: NL * H * W }, () => (rng.next() < 0.1 ? 255 : rng.int(C))), [NL, H, W], 'int32'),
        unlabelledValid: tf.tensor3d(Float32Array.from({ length: NU * H * W }, () => (rng.next() < 0.15 ? 0 : 1)), [NU, H, W]),
      }));
      const draws: Record<number, ContrastiveDraw> = {};
      const draw = (c: number, anchorCount: number, bankSize: number): ContrastiveDraw => {
        draws[c] = {
          anchors: Int32Array.from({ length: settings.numQueries }, () => rng.int(anchorCount)),
          negatives: Int32Array.from({ length: settings.numQueries * settings.numNegatives }, () => rng.int(bankSize)),
        };
        return draws[c];
      };

      const ours = tf.tidy(() => {
        const probsU = tf.softmax(t.unlabelledTeacherLogits) as tf.Tensor4D;
        const pseudo = probsU.argMax(-1) as tf.Tensor3D;
        const unsupOf = (logits: tf.Tensor) => reliableCrossEntropy(logits as tf.Tensor4D, pseudo, probsU, t.unlabelledValid, settings.dropPercent);
        const unsup = tf.valueAndGrad(unsupOf)(t.studentLogits);

        const bands = entropyBands(probsU, t.unlabelledValid, settings.alpha);
        const evidence = pixelEvidence({
          labelledMasks: t.labelledMasks,
          labelledProbs: tf.softmax(t.labelledTeacherLogits) as tf.Tensor4D,
          unlabelledLabels: pseudo,
          unlabelledProbs: probsU,
          reliable: bands.reliable,
          unreliable: bands.unreliable,
        });
        const teacherRows = t.teacherRep.dataSync() as Float32Array;
        const variables = [...head.trainableVariables()];
        const features = tf.variable(t.features, true, 'u2pl-test-features');
        const contra = tf.variableGrads(() => {
          const rep = head.forward(features, { training: true }).reshape([-1, D]) as tf.Tensor2D;
          return memoryBankContrastive(rep, teacherRows, evidence, banks, draw, settings);
        }, [features, ...variables.map(([, v]) => v)]);
        const out = {
          unsup: unsup.value.dataSync()[0],
          unsupGrad: Array.from(unsup.grad.dataSync()),
          contra: contra.value.dataSync()[0],
          featuresGrad: Array.from(contra.grads[features.name].dataSync()),
          headGrads: Object.fromEntries(variables.map(([name, v]) => [name, Array.from(contra.grads[v.name].dataSync())])),
        };
        features.dispose();
        return out;
      });

      const headWeights = Object.fromEntries([...head.trainableVariables()].map(([name, v]) => [name, entry(v)]));
      const torch = runTorchScript<TorchResult>(SCRIPT, {
        settings,
        capacities,
        features: entry(t.features),
        teacherRep: entry(t.teacherRep),
        labelledTeacherLogits: entry(t.labelledTeacherLogits),
        unlabelledTeacherLogits: entry(t.unlabelledTeacherLogits),
        studentLogits: entry(t.studentLogits),
        labelledMasks: entry(t.labelledMasks),
        unlabelledValid: entry(t.unlabelledValid),
        head: headWeights,
        banks: before,
        draws: Object.fromEntries(Object.entries(draws).map(([c, d]) => [c, { anchors: Array.from(d.anchors), negatives: Array.from(d.negatives) }])),
      });

      // the fixture exercises what it should: several classes drawn, a bank that was empty filled
      expect(Object.keys(draws).map(Number)).toEqual(torch.drawn);
      expect(torch.drawn.length).toBeGreaterThanOrEqual(2);
      expect(banks.size(2)).toBeGreaterThan(0);
      expect(ours.contra).toBeGreaterThan(0);
      // an anchor drawn twice: its gradient is the sum of both
      expect(Object.values(draws).some((d) => new Set(d.anchors).size < d.anchors.length)).toBe(true);

      expect(relativeError([ours.unsup], [torch.unsup])).toBeLessThanOrEqual(1e-5);
      expect(relativeError(ours.unsupGrad, torch.unsupGrad)).toBeLessThanOrEqual(1e-5);
      expect(relativeError([ours.contra], [torch.contra])).toBeLessThanOrEqual(1e-5);
      expect(relativeError(ours.featuresGrad, torch.featuresGrad)).toBeLessThanOrEqual(1e-5);
      for (const [name, grad] of Object.entries(ours.headGrads)) {
        expect({ name, close: relativeError(grad, torch.headGrads[name]) <= 1e-5 }).toEqual({ name, close: true });
      }
      capacities.forEach((_, c) => {
        const after = banks.size(c) ? Array.from(banks.gather(c, Int32Array.from({ length: banks.size(c) }, (_, i) => i))) : [];
        expect(after.length).toBe(torch.banks[c].length);
        if (after.length) expect(relativeError(after, torch.banks[c])).toBeLessThanOrEqual(1e-6);
      });

      tf.dispose(Object.values(t));
      head.dispose();
    });
  });
});

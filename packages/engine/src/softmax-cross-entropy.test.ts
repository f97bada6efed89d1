import { tf } from './tf';
import './register-all-kernels';
import { initEngine } from './backends';
import { describeIf, expectArraysClose, expectNoLeak } from './testing';
import { nativeUnavailableReason } from './native/addon';
import { softmaxCrossEntropy } from './softmax-cross-entropy';

function seeded(shape: number[], seed: number, scale = 3): tf.Tensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return scale * (s / 2 ** 31 - 1);
  }), shape);
}

type Loss = (labels: tf.Tensor, logits: tf.Tensor) => tf.Scalar;

/** The loss and its gradients for labels and logits, scaled by 1.7 to test dy, as plain arrays. */
async function lossAndGrads(backend: string, loss: Loss, shape: number[], labelsOf: (t: tf.Tensor) => tf.Tensor): Promise<Float32Array[]> {
  await initEngine({ backend, verbose: false });
  return expectNoLeak(() => {
    const out = tf.tidy(() => {
      const logits = seeded(shape, 5);
      const labels = labelsOf(seeded(shape, 9));
      const f = (y: tf.Tensor, x: tf.Tensor) => tf.mul(loss(y, x), 1.7);
      return [f(labels, logits), ...tf.grads(f)([labels, logits])];
    });
    const arrays = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return arrays;
  });
}

const oneHot = (t: tf.Tensor) => tf.oneHot(tf.argMax(t, -1), t.shape[t.shape.length - 1]).toFloat();

describeIf(nativeUnavailableReason(), 'softmaxCrossEntropy (fused on native)', () => {
  afterAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });

  it.each([
    ['one-hot labels, NHWC logits', [2, 5, 4, 11], oneHot],
    ['soft labels, rank 2', [7, 3], (t: tf.Tensor) => tf.softmax(t)],
    ['labels that do not sum to 1', [4, 6], (t: tf.Tensor) => tf.abs(t)],
  ] as const)('%s: value and both gradients match tf.losses.softmaxCrossEntropy on cpu', async (_, shape, labelsOf) => {
    const expected = await lossAndGrads('cpu', (y, x) => tf.losses.softmaxCrossEntropy(y, x) as tf.Scalar, [...shape], labelsOf);
    const actual = await lossAndGrads('native', softmaxCrossEntropy, [...shape], labelsOf);
    expect(actual).toHaveLength(3);
    actual.forEach((a, i) => expectArraysClose(a, expected[i], 1e-4, 1e-6));
  });

  it('runs one fused kernel on native', async () => {
    await initEngine({ backend: 'native', verbose: false });
    const { kernelNames } = await tf.profile(() => tf.tidy(() => softmaxCrossEntropy(oneHot(seeded([3, 4], 1)), seeded([3, 4], 2)).dataSync()));
    expect(kernelNames).toContain('SssegSoftmaxCrossEntropy');
    expect(kernelNames).not.toContain('Exp');
  });

  it('rejects labels and logits of different shapes', async () => {
    await initEngine({ backend: 'native', verbose: false });
    await expectNoLeak(() => tf.tidy(() => {
      expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(/one shape/);
    }));
  });
});

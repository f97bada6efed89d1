import { tf } from '@ssseg/engine';
import { noGradient } from './no-gradient';
import { stopGradient } from './stop-gradient';

describe('gradient stops', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('noGradient makes values constants: only the direct path contributes', () => {
    // f(x) = x^2 + g(x) where g(x) = 3x computed without gradient: df/dx = 2x
    const x = tf.scalar(2);
    const dx = tf.grad((v: tf.Tensor) => v.square().add(noGradient(() => v.mul(3))))(x);
    expect(dx.dataSync()[0]).toBe(4);
    tf.dispose([x, dx]);
  });

  it('noGradient allows ops without gradients (argMax, comparisons) on the teacher side', () => {
    const x = tf.tensor1d([0.2, 0.9, 0.1]);
    const dx = tf.grad((v: tf.Tensor) => {
      const keep = noGradient(() => v.greaterEqual(0.5).toFloat());
      return v.mul(keep).sum();
    })(x);
    expect(Array.from(dx.dataSync())).toEqual([0, 1, 0]);
    tf.dispose([x, dx]);
  });

  it('stopGradient zeroes the gradient of its path', () => {
    const x = tf.scalar(2);
    const dx = tf.grad((v: tf.Tensor) => v.square().add(stopGradient(v.mul(3))))(x);
    expect(dx.dataSync()[0]).toBe(4);
    tf.dispose([x, dx]);
  });
});

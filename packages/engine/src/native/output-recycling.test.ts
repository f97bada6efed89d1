import { tf } from '../tf';
import '../register-all-kernels';
import { initEngine } from '../backends';
import { describeIf, expectNoLeak } from '../testing';
import { nativeUnavailableReason } from './addon';
import type { NativeBackend } from './backend';

const N = 5000; // above the pool's minimum length

function ramp(scale: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: 2 * N }, (_, i) => scale * (i % 97)), [2, N]);
}

describeIf(nativeUnavailableReason(), 'native backend output recycling', () => {
  let backend: NativeBackend;
  beforeAll(async () => {
    await initEngine({ backend: 'native', verbose: false });
    backend = tf.backend() as NativeBackend;
  });
  afterAll(async () => {
    await initEngine({ backend: 'cpu', verbose: false });
  });
  beforeEach(() => backend.pool.clear());

  it('reuses the buffer of a freed native output, and the reuse computes the right values', () =>
    expectNoLeak(() => {
      const x = ramp(1);
      tf.mul(x, 2).dispose();
      expect(backend.pool.bytes).toBe(2 * N * 4);
      const y = tf.mul(x, 3);
      expect(backend.pool.bytes).toBe(0);
      const expected = Float32Array.from({ length: 2 * N }, (_, i) => 3 * (i % 97));
      expect(y.dataSync()).toEqual(expected);
      tf.dispose([x, y]);
    }));

  it('recycles the outputs of concat, transpose and oneHot, and a reuse overwrites every stale value', () =>
    expectNoLeak(() => {
      const x = ramp(1);
      tf.concat([x, x], 1).dispose();
      expect(backend.pool.bytes).toBe(4 * N * 4);
      const stacked = tf.concat([x, x], 0);
      expect(backend.pool.bytes).toBe(0);
      const moved = tf.transpose(stacked);
      stacked.dispose();
      moved.dispose();
      expect(backend.pool.bytes).toBe(8 * N * 4);
      const labels = tf.tensor1d(Int32Array.from({ length: 2 * N }, (_, i) => i % 2), 'int32');
      const hot = tf.oneHot(labels, 2); // 4N values: lands in a recycled buffer full of the ramp
      expect(backend.pool.bytes).toBe(4 * N * 4);
      expect(hot.dtype).toBe('int32');
      expect(Array.from(hot.dataSync()).every((v, i) => v === (i % 4 === 0 || i % 4 === 3 ? 1 : 0))).toBe(true);
      tf.dispose([x, labels, hot]);
    }));

  it('never recycles values that were read out (dataSync), nor arrays the caller passed in', () =>
    expectNoLeak(() => {
      const x = ramp(1);
      const y = tf.mul(x, 2);
      const read = y.dataSync();
      const snapshot = read.slice();
      y.dispose();
      x.dispose();
      expect(backend.pool.bytes).toBe(0);
      tf.tidy(() => tf.mul(ramp(5), 7).dataSync());
      expect(read).toEqual(snapshot);
    }));

  it('never recycles a buffer that a cpu kernel shares with its own output (Unpack returns views)', () =>
    expectNoLeak(() => {
      const x = ramp(1);
      const y = tf.mul(x, 2);
      const parts = tf.unstack(y);
      const expected = Float32Array.from({ length: N }, (_, i) => 2 * (i % 97));
      y.dispose();
      const z = tf.mul(x, -1); // would land in y's buffer if it were recycled
      expect(parts[0].dataSync()).toEqual(expected);
      tf.dispose([x, z, ...parts]);
    }));
});

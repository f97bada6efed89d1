import { tf } from './tf';
import { describeWithBackends, expectNoLeak } from './testing';

describeWithBackends('engine', (backend) => {
  it('runs on the requested backend without leaking', async () => {
    expect(tf.getBackend()).toBe(backend);
    await expectNoLeak(() => {
      const y = tf.tidy(() => tf.add(tf.ones([2, 2]), 1).sum());
      expect(y.dataSync()[0]).toBe(8);
      y.dispose();
    });
  });
});

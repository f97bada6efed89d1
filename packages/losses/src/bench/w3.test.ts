import { tf, expectNoLeak, initEngine } from '@ssseg/engine';
import { formatW3, runW3 } from './w3';

describe('runW3', () => {
  beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

  it('runs every form on both paths on a tiny size, agrees across paths, skips what does not fit', async () => {
    await expectNoLeak(async () => {
      const rows = await runW3({ backend: 'cpu', sizes: [12], batchSize: 2, numClasses: 3, repeats: 1, warmup: 0, naiveMaxBytes: 1e9 });
      expect(rows).toHaveLength(8);
      for (const r of rows) {
        expect([r.H, r.W]).toEqual([3, 4]);
        expect(r.ms).toBeGreaterThan(0);
        expect(r.peakBytes).toBeGreaterThan(0);
      }
      for (let i = 0; i < rows.length; i += 2) expect(rows[i].loss).toBeCloseTo(rows[i + 1].loss!, 5);
      const skipped = await runW3({ backend: 'cpu', sizes: [12], batchSize: 2, numClasses: 3, repeats: 1, warmup: 0, naiveMaxBytes: 10, forms: [['affinity', 'kl']] });
      expect(skipped[1].skipped).toMatch(/GiB of \[M, M\] intermediates/);
      expect(formatW3(skipped)).toContain('| affinity | kl | 12 (3x4) | naive | skipped:');
    });
    expect(tf.getBackend()).toBe('cpu');
  });
});

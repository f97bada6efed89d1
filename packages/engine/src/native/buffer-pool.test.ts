import { BufferPool } from './buffer-pool';

describe('BufferPool', () => {
  it('hands a released array back for the same length only', () => {
    const pool = new BufferPool(4, 1024);
    const a = pool.take(8);
    expect(a).toHaveLength(8);
    pool.release(a);
    expect(pool.bytes).toBe(32);
    expect(pool.take(9)).not.toBe(a);
    expect(pool.take(8)).toBe(a);
    expect(pool.bytes).toBe(0);
    expect(pool.take(8)).not.toBe(a);
  });

  it('keeps neither small arrays nor more than its byte limit', () => {
    const pool = new BufferPool(4, 64);
    pool.release(new Float32Array(3));
    expect(pool.bytes).toBe(0);
    pool.release(new Float32Array(10));
    pool.release(new Float32Array(10));
    expect(pool.bytes).toBe(40);
    pool.clear();
    expect(pool.bytes).toBe(0);
  });
});

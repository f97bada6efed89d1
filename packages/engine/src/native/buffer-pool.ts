/**
 * Float32Arrays of freed native outputs, by length, for the next output of that length. A fresh
 * large Float32Array costs its page faults on first write (~1.4 ms for 2 MB on the bench machine,
 * 25x the multiply that fills it); training steps free and re-allocate the same shapes every step.
 */
export class BufferPool {
  private readonly free = new Map<number, Float32Array[]>();
  private pooledBytes = 0;

  /** Arrays shorter than `minLength` are not pooled (V8 allocates those cheaply); at most `maxBytes` are held. */
  constructor(readonly minLength = 4096, readonly maxBytes = 512 * 2 ** 20) {}

  /** A Float32Array of `length` elements with arbitrary contents: the caller overwrites all of it. */
  take(length: number): Float32Array {
    const list = this.free.get(length);
    const reused = list?.pop();
    if (!reused) return new Float32Array(length);
    this.pooledBytes -= reused.byteLength;
    return reused;
  }

  /** Hands back an array nothing references any more; dropped when the pool is full or it is small. */
  release(values: Float32Array): void {
    if (values.length < this.minLength || this.pooledBytes + values.byteLength > this.maxBytes) return;
    const list = this.free.get(values.length);
    if (list) list.push(values);
    else this.free.set(values.length, [values]);
    this.pooledBytes += values.byteLength;
  }

  get bytes(): number {
    return this.pooledBytes;
  }

  clear(): void {
    this.free.clear();
    this.pooledBytes = 0;
  }
}

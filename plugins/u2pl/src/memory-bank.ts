import { tf } from '@ssseg/engine';
import type { MethodState } from '@ssseg/core';

const WRITE = 'bank/write';
const FILLED = 'bank/filled';
const keysName = (c: number) => `bank/keys/${c}`;

/**
 * U2PL's class-wise memory banks of negative keys: class c's queue holds the newest
 * `capacities[c]` teacher features pushed to it, oldest first (the official queue keeps the tail
 * of everything enqueued). Each is a ring buffer of `capacity x dim` floats on the CPU, allocated
 * at its first push, so memory is bounded by `sum(capacities) * dim * 4` bytes.
 */
export class ClassMemoryBanks {
  private readonly rows: (Float32Array | undefined)[];
  private readonly write: Int32Array;
  private readonly filled: Int32Array;

  constructor(readonly capacities: readonly number[], readonly dim: number) {
    if (capacities.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`memory bank capacities must be positive integers, got [${capacities}]`);
    this.rows = capacities.map(() => undefined);
    this.write = new Int32Array(capacities.length);
    this.filled = new Int32Array(capacities.length);
  }

  get numClasses(): number {
    return this.capacities.length;
  }

  /** Keys class c's queue holds now. */
  size(c: number): number {
    return this.filled[c];
  }

  /** Enqueues rows `pixels` of `source` ([P, dim], row-major) into class c's queue, in order. */
  push(c: number, source: Float32Array, pixels: ArrayLike<number>): void {
    const cap = this.capacities[c], dim = this.dim;
    if (!pixels.length) return;
    const rows = (this.rows[c] ??= new Float32Array(cap * dim));
    // only the newest `cap` survive
    const first = Math.max(0, pixels.length - cap);
    let at = first > 0 ? 0 : this.write[c];
    for (let i = first; i < pixels.length; i++) {
      rows.set(source.subarray(pixels[i] * dim, (pixels[i] + 1) * dim), at * dim);
      at = (at + 1) % cap;
    }
    this.filled[c] = first > 0 ? cap : Math.min(cap, this.filled[c] + pixels.length);
    this.write[c] = at;
  }

  /** Rows of class c's queue by position, 0 the oldest, as one [indices.length * dim] array. */
  gather(c: number, indices: ArrayLike<number>): Float32Array {
    const n = this.filled[c], cap = this.capacities[c], dim = this.dim;
    const rows = this.rows[c];
    if (!rows || n === 0) throw new Error(`memory bank of class ${c} is empty`);
    const start = n < cap ? 0 : this.write[c];
    const out = new Float32Array(indices.length * dim);
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      if (!(j >= 0 && j < n)) throw new Error(`memory bank of class ${c}: index ${j} outside [0, ${n})`);
      const row = (start + j) % cap;
      out.set(rows.subarray(row * dim, (row + 1) * dim), i * dim);
    }
    return out;
  }

  /** The banks as tensors (write positions, fill counts, the filled rows of each class); the caller disposes them. */
  state(): MethodState {
    const state: MethodState = new Map();
    state.set(WRITE, tf.tensor1d(this.write, 'int32'));
    state.set(FILLED, tf.tensor1d(this.filled, 'int32'));
    this.rows.forEach((rows, c) => {
      if (rows && this.filled[c] > 0) state.set(keysName(c), tf.tensor2d(rows.slice(0, this.filled[c] * this.dim), [this.filled[c], this.dim]));
    });
    return state;
  }

  /** Restores what `state()` returned; errors name the entry that does not fit these banks. */
  loadState(state: MethodState): void {
    const C = this.numClasses;
    const ints = (name: string): Int32Array => {
      const t = state.get(name);
      if (!t || t.dtype !== 'int32' || t.shape.join() !== String(C)) throw new Error(`U2PL memory banks: '${name}' must be int32 [${C}], got ${t ? `${t.dtype} [${t.shape}]` : 'none'}`);
      return t.dataSync() as Int32Array;
    };
    const write = ints(WRITE), filled = ints(FILLED);
    const rows: (Float32Array | undefined)[] = [];
    for (let c = 0; c < C; c++) {
      const cap = this.capacities[c], n = filled[c];
      if (n < 0 || n > cap || write[c] < 0 || write[c] >= cap || (n < cap && write[c] !== n)) {
        throw new Error(`U2PL memory banks: class ${c} has ${n} keys written up to ${write[c]}, which a queue of ${cap} cannot hold`);
      }
      const keys = state.get(keysName(c));
      if (n === 0) continue;
      if (!keys || keys.shape.join() !== `${n},${this.dim}`) {
        throw new Error(`U2PL memory banks: '${keysName(c)}' must be float32 [${n}, ${this.dim}], got ${keys ? `[${keys.shape}]` : 'none'}`);
      }
      const buffer = new Float32Array(cap * this.dim);
      buffer.set(keys.dataSync() as Float32Array);
      rows[c] = buffer;
    }
    for (let c = 0; c < C; c++) this.rows[c] = rows[c];
    this.write.set(write);
    this.filled.set(filled);
  }
}

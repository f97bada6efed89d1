import { tf, expectNoLeak, initEngine } from '@ssseg/engine';
import { ClassMemoryBanks } from './memory-bank';

/** Rows [i, i+1) of a one-dimensional source are the values i: a key's value tells where it came from. */
const source = Float32Array.from({ length: 100 }, (_, i) => i);
const all = (banks: ClassMemoryBanks, c: number) => Array.from(banks.gather(c, Int32Array.from({ length: banks.size(c) }, (_, i) => i)));

describe('ClassMemoryBanks', () => {
  beforeAll(() => initEngine({ backend: 'cpu', verbose: false }));

  it('keeps the newest keys of each class, oldest first, as the official queue (the tail of everything enqueued)', () => {
    const banks = new ClassMemoryBanks([4, 3], 1);
    banks.push(0, source, [1, 2]);
    expect(all(banks, 0)).toEqual([1, 2]);
    banks.push(0, source, [3, 4, 5]); // wraps: 1 falls out
    expect(all(banks, 0)).toEqual([2, 3, 4, 5]);
    banks.push(0, source, [6]);
    expect(all(banks, 0)).toEqual([3, 4, 5, 6]);
    banks.push(1, source, [10, 11, 12, 13, 14]); // more than the queue holds at once
    expect(all(banks, 1)).toEqual([12, 13, 14]);
    expect(banks.gather(0, [3, 0, 3])).toEqual(Float32Array.from([6, 3, 6]));
    expect(() => banks.gather(0, [4])).toThrow('memory bank of class 0: index 4 outside [0, 4)');
  });

  it('state() and loadState() carry the keys and the write positions, so the queues continue exactly; no tensor leaks', async () => {
    await expectNoLeak(() => {
      const banks = new ClassMemoryBanks([4, 3, 5], 2);
      const rows = Float32Array.from({ length: 40 }, (_, i) => i / 2);
      banks.push(0, rows, [0, 1, 2, 3, 4, 5]);
      banks.push(1, rows, [7]);
      const state = banks.state();
      expect([...state.keys()].sort()).toEqual(['bank/filled', 'bank/keys/0', 'bank/keys/1', 'bank/write']);
      expect(state.get('bank/write')!.dtype).toBe('int32');
      const restored = new ClassMemoryBanks([4, 3, 5], 2);
      restored.loadState(state);
      tf.dispose([...state.values()]);
      for (const b of [banks, restored]) {
        b.push(0, rows, [9]);
        b.push(2, rows, [8, 9]);
      }
      for (let c = 0; c < 3; c++) expect(all(restored, c)).toEqual(all(banks, c));
    });
  });

  it('refuses a state that does not fit its queues, naming the entry', async () => {
    await expectNoLeak(() => {
      const banks = new ClassMemoryBanks([4, 3], 2);
      const state = (write: number[], filled: number[], keys?: tf.Tensor) =>
        new Map<string, tf.Tensor>([['bank/write', tf.tensor1d(write, 'int32')], ['bank/filled', tf.tensor1d(filled, 'int32')], ...(keys ? [['bank/keys/0', keys] as [string, tf.Tensor]] : [])]);
      const cases: [Map<string, tf.Tensor>, string][] = [
        [state([0, 0, 0], [0, 0, 0]), "'bank/write' must be int32 [2], got int32 [3]"],
        [state([1, 0], [5, 0]), 'class 0 has 5 keys written up to 1, which a queue of 4 cannot hold'],
        [state([2, 0], [2, 0]), "'bank/keys/0' must be float32 [2, 2], got none"],
        [state([2, 0], [2, 0], tf.zeros([3, 2])), "'bank/keys/0' must be float32 [2, 2], got [3,2]"],
      ];
      for (const [s, message] of cases) {
        expect(() => banks.loadState(s)).toThrow(message);
        tf.dispose([...s.values()]);
      }
      expect(() => new ClassMemoryBanks([4, 0], 2)).toThrow('memory bank capacities must be positive integers, got [4,0]');
    });
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, expectNoLeak } from '@ssseg/engine';
import { TinySegmentationModel, type Method, type MethodState } from '@ssseg/core';
import { loadCheckpoint, saveCheckpoint, type RunPosition } from './checkpoint';

/** A method with a second network and a bank of tensors, as CPS and U2PL have. */
function methodWithState(second: TinySegmentationModel, bank: { values: tf.Tensor }): Method {
  return {
    type: 'test-stateful', usesUnlabelled: false, strongViews: 0,
    evalModel: () => second,
    losses: () => { throw new Error('not trained here'); },
    afterStep: () => undefined,
    trainedParts: () => new Map([['second', second]]),
    state: (): MethodState => new Map([['bank', bank.values.clone()]]),
    loadState: (state) => {
      bank.values.dispose();
      bank.values = state.get('bank')!.clone();
    },
  };
}

const POSITION: RunPosition = { step: 3, epoch: 0, rng: [1, 2, 3, 4], loader: null, bestMiou: null };

describe("a checkpoint holds the method's trained parts and run state", () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-checkpoint-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('restores the second network and the bank exactly, and records the part as what the run evaluated', async () => {
    await expectNoLeak(() => {
      const file = path.join(dir, 'parts.ckpt');
      const student = new TinySegmentationModel({ numClasses: 2, seed: 1 }), second = new TinySegmentationModel({ numClasses: 2, seed: 2 });
      const bank = { values: tf.tensor([1.5, -2, 3.25]) };
      saveCheckpoint(file, { model: student, trained: new Map([['second', second]]), method: methodWithState(second, bank), evaluated: second }, POSITION);

      const student2 = new TinySegmentationModel({ numClasses: 2, seed: 7 }), second2 = new TinySegmentationModel({ numClasses: 2, seed: 8 });
      const bank2 = { values: tf.zeros([3]) };
      const { meta } = loadCheckpoint(file, { model: student2, trained: new Map([['second', second2]]), method: methodWithState(second2, bank2) });
      expect(meta.evaluated).toBe('part/second');
      for (const [name, t] of second.getWeights()) expect(second2.getWeights().get(name)!.arraySync()).toEqual(t.arraySync());
      for (const [name, t] of student.getWeights()) expect(student2.getWeights().get(name)!.arraySync()).toEqual(t.arraySync());
      expect(bank2.values.arraySync()).toEqual([1.5, -2, 3.25]);
      for (const t of [student, second, student2, second2]) t.dispose();
      tf.dispose([bank.values, bank2.values]);
    });
  });

  it("refuses a checkpoint without the part's weights (written by a run of another method)", async () => {
    await expectNoLeak(() => {
      const file = path.join(dir, 'student-only.ckpt');
      const student = new TinySegmentationModel({ numClasses: 2, seed: 1 }), second = new TinySegmentationModel({ numClasses: 2, seed: 2 });
      saveCheckpoint(file, { model: student }, POSITION);
      expect(() => loadCheckpoint(file, { model: student, trained: new Map([['second', second]]) }))
        .toThrow("the checkpoint has no weights of the method's 'second' ('part/second/...')");
      student.dispose();
      second.dispose();
    });
  });
});

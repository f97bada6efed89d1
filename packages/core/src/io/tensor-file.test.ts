import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, expectNoLeak } from '@ssseg/engine';
import { loadTensorFile, saveTensorFile } from './tensor-file';

describe('tensor file', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-tensors-'));

  it('round-trips float32 and int32 tensors of any shape with metadata, bit for bit', async () => {
    await expectNoLeak(() => {
      const file = path.join(dir, 'a.ckpt');
      const tensors = new Map<string, tf.Tensor>([
        ['conv.weight', tf.tensor4d([0.1, -2.5e-8, 3.4e38, Math.PI, 5, 6], [1, 2, 3, 1])],
        ['step', tf.scalar(7, 'int32')],
        ['odd', tf.tensor1d([1, 2, 3], 'float32')],
      ]);
      saveTensorFile(file, tensors, { step: 12, rng: [1, 2, 3, 4] });
      const back = loadTensorFile(file);
      expect(back.meta).toEqual({ step: 12, rng: [1, 2, 3, 4] });
      for (const [name, t] of tensors) {
        const r = back.tensors.get(name)!;
        expect(r.shape).toEqual(t.shape);
        expect(r.dtype).toBe(t.dtype);
        expect(Array.from(r.dataSync())).toEqual(Array.from(t.dataSync()));
      }
      tf.dispose([...tensors.values(), ...back.tensors.values()]);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });

  it('names the file when it is truncated, foreign or missing', () => {
    const file = path.join(dir, 'b.ckpt');
    const t = tf.tensor1d([1, 2, 3, 4]);
    saveTensorFile(file, new Map([['x', t]]));
    t.dispose();
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 4));
    expect(() => loadTensorFile(file)).toThrow(new RegExp(`${file}: truncated: tensor 'x'`));
    fs.writeFileSync(file, 'hello world, not a checkpoint');
    expect(() => loadTensorFile(file)).toThrow(/bad magic/);
    expect(() => loadTensorFile(path.join(dir, 'none.ckpt'))).toThrow(/none\.ckpt: cannot read checkpoint: ENOENT/);
  });
});

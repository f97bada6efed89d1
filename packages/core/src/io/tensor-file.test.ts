import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, expectNoLeak } from '@ssseg/engine';
import { DamagedTensorFileError, loadTensorFile, saveTensorFile, verifyTensorFile } from './tensor-file';

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
    expect(() => loadTensorFile(file)).toThrow(`${file}: damaged (checksum mismatch)`);
    fs.writeFileSync(file, 'hello world, not a checkpoint');
    expect(() => loadTensorFile(file)).toThrow(/bad magic/);
    expect(() => loadTensorFile(path.join(dir, 'none.ckpt'))).toThrow(/none\.ckpt: cannot read checkpoint: ENOENT/);
  });

  /** A file of three tensors with metadata, and where the float data of 'w' starts. */
  function written(name: string): { file: string; wAt: number } {
    const file = path.join(dir, name);
    const tensors = new Map<string, tf.Tensor>([['w', tf.range(0, 64, 1, 'float32')], ['b', tf.ones([3])], ['n', tf.scalar(4, 'int32')]]);
    saveTensorFile(file, tensors, { step: 9 });
    tf.dispose([...tensors.values()]);
    const bytes = fs.readFileSync(file);
    return { file, wAt: 12 + bytes.readUInt32LE(8) };
  }

  it('refuses a file with ten floats XOR-ed, naming it, and makes no tensor', async () => {
    const { file, wAt } = written('xor.ckpt');
    const bytes = fs.readFileSync(file);
    for (let i = 0; i < 10; i++) bytes[wAt + 4 * (20 + i)] ^= 0x5a;
    fs.writeFileSync(file, bytes);
    await expectNoLeak(() => {
      expect(() => loadTensorFile(file)).toThrow(new DamagedTensorFileError(file, 'checksum mismatch'));
    });
    expect(() => verifyTensorFile(file)).toThrow(`${file}: damaged (checksum mismatch)`);
  });

  it('checks the header and the length field as well as the data: one flipped bit anywhere is refused', () => {
    const { file } = written('bits.ckpt');
    const good = fs.readFileSync(file);
    expect(verifyTensorFile(file)).toEqual({ meta: { step: 9 }, verified: true });
    // every byte after the magic: the length field, the JSON header, the data, the checksum itself
    for (let at = 8; at < good.length; at += 7) {
      const bad = Buffer.from(good);
      bad[at] ^= 1 << (at % 8);
      fs.writeFileSync(file, bad);
      expect(() => verifyTensorFile(file)).toThrow(`${file}: damaged (checksum mismatch)`);
    }
  });

  it('reads a file written before checksums unverified, and refuses one that holds more than that format wrote', async () => {
    const { file } = written('old.ckpt');
    const current = fs.readFileSync(file);
    // the earlier format: the same layout under magic SSSEGT1 and without the trailing checksum
    const old = Buffer.concat([Buffer.from('SSSEGT1\n', 'latin1'), current.subarray(8, current.length - 4)]);
    fs.writeFileSync(file, old);
    expect(verifyTensorFile(file)).toEqual({ meta: { step: 9 }, verified: false });
    await expectNoLeak(() => {
      const back = loadTensorFile(file);
      expect(Array.from(back.tensors.get('w')!.dataSync())).toEqual(Array.from({ length: 64 }, (_, i) => i));
      tf.dispose([...back.tensors.values()]);
    });
    // a current file whose magic lost a bit ('2' -> '1' would read it as the old format): its checksum is left over
    const flipped = Buffer.from(current);
    flipped[6] = '1'.charCodeAt(0);
    fs.writeFileSync(file, flipped);
    expect(() => loadTensorFile(file)).toThrow(`${file}: damaged (4 bytes after the last tensor of a file written before checksums)`);
  });
});


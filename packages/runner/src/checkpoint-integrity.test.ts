import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tf, expectNoLeak } from '@ssseg/engine';
import { saveTensorFile } from '@ssseg/core';
import { describeLastCheckpoint, loadCheckpointFile } from './checkpoint-integrity';

describe('a damaged checkpoint is named with the checkpoint beside it that verifies', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-integrity-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const at = (name: string) => path.join(dir, name);
  const write = (name: string, step: number) => {
    const t = tf.range(0, 16, 1, 'float32');
    saveTensorFile(at(name), new Map([['model/w', t]]), { position: { step } });
    t.dispose();
  };
  const damage = (name: string) => {
    const bytes = fs.readFileSync(at(name));
    bytes[bytes.length - 20] ^= 0xff;
    fs.writeFileSync(at(name), bytes);
  };

  it('offers the newest step that verifies, skipping damaged ones, with what to do with it', async () => {
    await expectNoLeak(() => {
      write('last.ckpt', 8);
      write('best.ckpt', 3);
      write('step-6.ckpt', 6);
      write('step-7.ckpt', 7);
      expect(describeLastCheckpoint(at('last.ckpt'))).toBe(`the last good checkpoint is ${at('last.ckpt')}`);
      damage('last.ckpt');
      damage('step-7.ckpt');
      expect(() => loadCheckpointFile(at('last.ckpt'), (other) => `use ${other}`))
        .toThrow(`checkpoint ${at('last.ckpt')} is damaged (checksum mismatch); ${at('step-6.ckpt')} verifies (step 6): use ${at('step-6.ckpt')}`);
      expect(describeLastCheckpoint(at('last.ckpt')))
        .toBe(`the last checkpoint ${at('last.ckpt')} is damaged (checksum mismatch); ${at('step-6.ckpt')} verifies (step 6)`);
      for (const name of ['best.ckpt', 'step-6.ckpt']) damage(name);
      expect(describeLastCheckpoint(at('last.ckpt'))).toBe(`the last checkpoint ${at('last.ckpt')} is damaged (checksum mismatch); no other checkpoint in ${dir} verifies`);
    });
  });
});

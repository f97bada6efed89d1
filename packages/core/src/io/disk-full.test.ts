import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from './atomic-write';
import { DiskFullError } from './disk-full';
import { MetricsWriter } from '../run/run-folder/metrics';

// a device that fills up after `room` bytes, recorded around the real file system
let room = Infinity;
jest.mock('fs', () => {
  const real = jest.requireActual<typeof import('fs')>('fs');
  const full = (): never => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  };
  return {
    ...real,
    writeSync: (fd: number, data: Uint8Array | string, ...rest: never[]) => {
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      if (size > room) full();
      room -= size;
      return real.writeSync(fd, data as never, ...rest);
    },
    appendFileSync: (file: string, data: string) => {
      if (Buffer.byteLength(data) > room) full();
      room -= Buffer.byteLength(data);
      real.appendFileSync(file, data);
    },
  };
});

describe('a full disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-disk-full-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  afterEach(() => (room = Infinity));

  it('fails an atomic write naming the file, keeps the old content and frees the partial temporary file', () => {
    const file = path.join(dir, 'last.ckpt');
    writeFileAtomic(file, 'old checkpoint');
    room = 4;
    let error: unknown;
    try {
      writeFileAtomic(file, [Buffer.from('new '), Buffer.from('checkpoint')]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiskFullError);
    expect((error as Error).message).toBe(`${file}: no space left on the device (ENOSPC) while writing this file`);
    expect(fs.readFileSync(file, 'utf8')).toBe('old checkpoint');
    expect(fs.readdirSync(dir)).toEqual(['last.ckpt']);
  });

  it('fails a metrics line naming metrics.jsonl', () => {
    const writer = new MetricsWriter(path.join(dir, 'metrics.jsonl'));
    room = 10;
    expect(() => writer.write({ event: 'step', step: 1, epoch: 0, time: 0 })).toThrow(`${writer.file}: no space left on the device (ENOSPC)`);
  });

  it('says what is still good when asked to', () => {
    const error = new DiskFullError('/runs/a/last.ckpt', 'EDQUOT').keeping('the last good checkpoint is /runs/a/last.ckpt (step 4)');
    expect(error.message).toBe('/runs/a/last.ckpt: disk quota exceeded (EDQUOT) while writing this file; the last good checkpoint is /runs/a/last.ckpt (step 4)');
  });
});

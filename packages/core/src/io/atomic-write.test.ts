import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from './atomic-write';

// the calls writeFileAtomic makes, in order, recorded around the real file system
const events: string[] = [];
jest.mock('fs', () => {
  const real = jest.requireActual<typeof import('fs')>('fs');
  const opened = new Map<number, string>();
  return {
    ...real,
    openSync: (p: string, flags: string) => {
      const fd = real.openSync(p, flags);
      opened.set(fd, p);
      return fd;
    },
    fsyncSync: (fd: number) => {
      events.push(`fsync ${opened.get(fd)}`);
      real.fsyncSync(fd);
    },
    renameSync: (from: string, to: string) => {
      events.push(`rename to ${to}`);
      real.renameSync(from, to);
    },
  };
});

describe('atomic write', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-atomic-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('flushes the file, renames it into place, then flushes the folder so the rename survives a crash', () => {
    const file = path.join(dir, 'DONE');
    events.length = 0;
    writeFileAtomic(file, '{"steps": 3}\n');
    expect(events).toEqual([expect.stringMatching(/^fsync .*DONE\.\d+\.\d+\.tmp$/), `rename to ${file}`, `fsync ${dir}`]);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"steps": 3}\n');
    expect(fs.readdirSync(dir)).toEqual(['DONE']);
  });
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOCK_FILE, lockFolder } from './folder-lock';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-lock-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;
}

describe('folder lock', () => {
  it('names its holder; a second writer fails at once naming it; release lets the next one in', () => {
    const dir = path.join(root, 'one');
    const lock = lockFolder(dir, 'ssseg train');
    const holder = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(holder).toEqual({ pid: process.pid, host: os.hostname(), started: expect.any(String), purpose: 'ssseg train' });
    expect(() => lockFolder(dir, 'ssseg compare')).toThrow(`${dir}: is in use by ssseg train (pid ${process.pid} on ${os.hostname()}, since ${holder.started})`);
    lock.release();
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    lockFolder(dir, 'ssseg compare').release();
    expect(fs.readdirSync(dir)).toEqual([]); // no temporary files left
  });

  it('takes over the lock of a process that died on this host, with a message', () => {
    const dir = path.join(root, 'stale');
    fs.mkdirSync(dir);
    const stale = { pid: Number(deadPid()), host: os.hostname(), started: '2026-01-01T00:00:00.000Z', purpose: 'ssseg train' };
    fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(stale));
    const messages: string[] = [];
    const lock = lockFolder(dir, 'ssseg train', { onTakeOver: (m) => messages.push(m) });
    expect(messages).toEqual([`${dir}: taking over the lock of ssseg train (pid ${stale.pid} on ${os.hostname()}, since ${stale.started}), which is no longer running`]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it("never takes another host's lock (its process cannot be checked) nor one that names no writer", () => {
    const dir = path.join(root, 'remote');
    fs.mkdirSync(dir);
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify({ pid: Number(deadPid()), host: 'gpu-node-7', started: '2026-01-01T00:00:00.000Z', purpose: 'ssseg worker, job 3' }));
    expect(() => lockFolder(dir, 'ssseg train')).toThrow(`is in use by ssseg worker, job 3 (pid`);
    expect(() => lockFolder(dir, 'ssseg train')).toThrow(`if that process is gone, delete ${file}`);
    fs.writeFileSync(file, 'garbage');
    expect(() => lockFolder(dir, 'ssseg train')).toThrow(`is locked by ${file}, which does not name its writer`);
    expect(fs.readFileSync(file, 'utf8')).toBe('garbage');
  });

  it('leaves a lock that another writer took over alone when released', () => {
    const dir = path.join(root, 'replaced');
    const lock = lockFolder(dir, 'ssseg train');
    const theirs = JSON.stringify({ pid: process.pid, host: os.hostname(), started: 'later', purpose: 'other' });
    fs.writeFileSync(path.join(dir, LOCK_FILE), theirs);
    lock.release();
    expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8')).toBe(theirs);
  });
});

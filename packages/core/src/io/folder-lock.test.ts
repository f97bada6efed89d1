import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_LOCK_STALE_MS, LOCK_FILE, folderLockStatus, lockFolder } from './folder-lock';

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

  it("refuses another host's lock while it is refreshed, naming how long ago; never one that names no writer", () => {
    const dir = path.join(root, 'remote');
    fs.mkdirSync(dir);
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify({ pid: Number(deadPid()), host: 'gpu-node-7', started: '2026-01-01T00:00:00.000Z', purpose: 'ssseg worker, job 3' }));
    const ago = new Date(Date.now() - 40_000);
    fs.utimesSync(file, ago, ago);
    expect(() => lockFolder(dir, 'ssseg train')).toThrow(`is in use by ssseg worker, job 3 (pid`);
    expect(() => lockFolder(dir, 'ssseg train')).toThrow('its lock was refreshed 40 s ago, and is taken over once it goes 5 min without a refresh');
    expect(folderLockStatus(dir)).toMatchObject({ holder: { host: 'gpu-node-7' }, live: true });
    fs.writeFileSync(file, 'garbage');
    expect(() => lockFolder(dir, 'ssseg train')).toThrow(`is locked by ${file}, which does not name its writer`);
    expect(fs.readFileSync(file, 'utf8')).toBe('garbage');
  });

  it("takes over another host's lock not refreshed for the stale time, naming the holder and its silence", () => {
    const dir = path.join(root, 'remote-stale');
    fs.mkdirSync(dir);
    const file = path.join(dir, LOCK_FILE);
    const stale = { pid: process.pid, host: 'gpu-node-7', started: '2026-01-01T00:00:00.000Z', purpose: 'ssseg worker, job 3' };
    fs.writeFileSync(file, JSON.stringify(stale));
    const ago = new Date(Date.now() - DEFAULT_LOCK_STALE_MS - 60_000);
    fs.utimesSync(file, ago, ago);
    expect(folderLockStatus(dir)).toMatchObject({ live: false });
    const messages: string[] = [];
    const lock = lockFolder(dir, 'ssseg train', { onTakeOver: (m) => messages.push(m) });
    expect(messages).toEqual([
      `${dir}: taking over the lock of ssseg worker, job 3 (pid ${process.pid} on gpu-node-7, since ${stale.started}), from another host, ` +
        'not refreshed for 6 min (a lock from another host is taken over after 5 min without a refresh)',
    ]);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes the stale time from SSSEG_LOCK_STALE_SECONDS, refusing one shorter than two refreshes', () => {
    const dir = path.join(root, 'remote-env');
    fs.mkdirSync(dir);
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, JSON.stringify({ pid: 1, host: 'gpu-node-7', started: 'then', purpose: 'ssseg train' }));
    const ago = new Date(Date.now() - 90_000);
    fs.utimesSync(file, ago, ago);
    try {
      process.env.SSSEG_LOCK_STALE_SECONDS = '30';
      expect(() => lockFolder(dir, 'ssseg train')).toThrow("SSSEG_LOCK_STALE_SECONDS: must be a number of seconds, at least 60 (twice the lock refresh interval), got '30'");
      process.env.SSSEG_LOCK_STALE_SECONDS = '80';
      const messages: string[] = [];
      lockFolder(dir, 'ssseg train', { onTakeOver: (m) => messages.push(m) }).release();
      expect(messages[0]).toContain('not refreshed for 90 s (a lock from another host is taken over after 80 s without a refresh)');
    } finally {
      delete process.env.SSSEG_LOCK_STALE_SECONDS;
    }
  });

  it('is refreshed by its holder; a holder whose lock was taken over is told once', async () => {
    const dir = path.join(root, 'heartbeat');
    const lost: string[] = [];
    const lock = lockFolder(dir, 'ssseg train', { refreshMs: 20, onLost: (m) => lost.push(m) });
    const file = path.join(dir, LOCK_FILE);
    const ago = new Date(Date.now() - 3_600_000);
    fs.utimesSync(file, ago, ago);
    await new Promise((r) => setTimeout(r, 200));
    expect(Date.now() - fs.statSync(file).mtimeMs).toBeLessThan(1000);
    const theirs = { pid: 4242, host: 'gpu-node-7', started: 'later', purpose: 'ssseg worker, job 3' };
    fs.writeFileSync(file, JSON.stringify(theirs));
    await new Promise((r) => setTimeout(r, 200));
    expect(lost).toEqual([`${dir}: this process's lock was taken over by ssseg worker, job 3 (pid 4242 on gpu-node-7, since later); two processes may now write this folder`]);
    lock.release();
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(theirs);
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

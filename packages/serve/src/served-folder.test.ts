import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ServedFolder } from './served-folder';

describe('ServedFolder', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-served-folder-'));
  const root = path.join(base, 'served');
  fs.mkdirSync(path.join(root, 'run'), { recursive: true });
  fs.writeFileSync(path.join(root, 'run', 'a.txt'), 'inside');
  fs.writeFileSync(path.join(root, '..dots'), 'a name that starts with two dots is still inside');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'outside');
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'run', 'out.txt'));
  fs.symlinkSync(base, path.join(root, 'up'));
  fs.symlinkSync('a.txt', path.join(root, 'run', 'in.txt'));
  // the served folder itself through a link: what is inside stays inside
  fs.symlinkSync(root, path.join(base, 'served-link'));
  const folder = new ServedFolder(path.join(base, 'served-link'));
  const read = (file: string) => folder.read(path.join(root, file), (fd) => fs.readFileSync(fd, 'utf8'));

  it('resolves links and keeps only what lands inside', () => {
    expect(folder.root).toBe(fs.realpathSync(root));
    expect(read('run/a.txt')).toBe('inside');
    expect(read('run/in.txt')).toBe('inside');
    expect(read('..dots')).toMatch(/still inside/);
    expect(read('run/out.txt')).toBeUndefined();
    expect(read('up/secret.txt')).toBeUndefined();
    expect(read('run/missing.txt')).toBeUndefined();
    expect(folder.leadsOut(path.join(root, 'run', 'out.txt'))).toBe(true);
    expect(folder.leadsOut(path.join(root, 'run', 'in.txt'))).toBe(false);
    expect(folder.leadsOut(path.join(root, 'run', 'missing.txt'))).toBe(false);
  });

  it('opens regular files only', () => {
    expect(folder.open(path.join(root, 'run'))).toBeUndefined();
  });

  it('refuses a folder that does not exist, or a file', () => {
    expect(() => new ServedFolder(path.join(base, 'missing'))).toThrow(/no such folder/);
    expect(() => new ServedFolder(path.join(base, 'secret.txt'))).toThrow(/no such folder/);
  });
});

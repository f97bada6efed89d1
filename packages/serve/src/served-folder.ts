import * as fs from 'fs';
import * as path from 'path';

/**
 * The folder the dashboard serves, and the one rule for every file it reads: a path counts only
 * when it resolves, links followed, to something inside the folder (itself resolved). A link that
 * leads out (a run folder copied from elsewhere, `gallery/x.png -> /etc/passwd`) is as if absent.
 */
export class ServedFolder {
  /** The folder's real path. */
  readonly root: string;

  constructor(dir: string) {
    let root: string;
    try {
      root = fs.realpathSync(dir);
    } catch {
      throw new Error(`no such folder: ${dir}`);
    }
    if (!fs.statSync(root).isDirectory()) throw new Error(`no such folder: ${dir}`);
    this.root = root;
  }

  /** The real path of `file` when it exists and lies inside the served folder; undefined otherwise. */
  resolve(file: string): string | undefined {
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      return undefined;
    }
    return this.contains(real) ? real : undefined;
  }

  /** True when `file` exists but resolves outside the served folder (a link out). */
  leadsOut(file: string): boolean {
    return fs.existsSync(file) && this.resolve(file) === undefined;
  }

  /**
   * A regular file inside the served folder opened for reading, or undefined. What was opened is
   * checked again on the descriptor, so a link swapped in between the check and the open is
   * refused too. The caller closes it.
   */
  open(file: string): number | undefined {
    const real = this.resolve(file);
    if (!real) return undefined;
    let fd: number;
    try {
      fd = fs.openSync(real, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    } catch {
      return undefined;
    }
    const opened = openedPath(fd, real);
    if (fs.fstatSync(fd).isFile() && opened !== undefined && this.contains(opened)) return fd;
    fs.closeSync(fd);
    return undefined;
  }

  /** `reader` applied to `file` opened as open() does, or undefined where open() refuses it. */
  read<T>(file: string, reader: (fd: number) => T): T | undefined {
    const fd = this.open(file);
    if (fd === undefined) return undefined;
    try {
      return reader(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** True when an absolute path, taken as written, lies inside the served folder. */
  contains(real: string): boolean {
    const relative = path.relative(this.root, real);
    return relative === '' || (!path.isAbsolute(relative) && relative !== '..' && !relative.startsWith('..' + path.sep));
  }
}

/** The path the kernel opened for `fd` (Linux's /proc/self/fd; elsewhere `real` if it still names that file). */
function openedPath(fd: number, real: string): string | undefined {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // no /proc: compare the descriptor with what the path names now
  }
  try {
    const now = fs.realpathSync(real);
    const [named, opened] = [fs.statSync(now), fs.fstatSync(fd)];
    return named.dev === opened.dev && named.ino === opened.ino ? now : undefined;
  } catch {
    return undefined;
  }
}

import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../errors';

/** No config needs more: the largest shipped one is a few kB; a 50 MB file took 18 s and 2 GB to parse. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Aliases a YAML config may expand (the yaml package's default, counted by the size they expand to). */
export const MAX_CONFIG_ALIAS_COUNT = 100;

/** A config file's text, refusing before reading it all when it is over MAX_CONFIG_BYTES. */
export function readConfigText(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`cannot read config: no such file (looked for ${path.resolve(file)})`, file);
    throw new ConfigError(`cannot read config: ${code ?? (err as Error).message}`, file);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new ConfigError('cannot read config: it is a folder', file);
    if (stat.isFile() && stat.size > MAX_CONFIG_BYTES) throw tooLarge(file, stat.size);
    // read at most one byte past the limit: a pipe or a file growing while read has no size up front
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n; length < buffer.length && (n = fs.readSync(fd, buffer, length, buffer.length - length, null)) > 0; ) length += n;
    if (length > MAX_CONFIG_BYTES) throw tooLarge(file);
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, file);
  } finally {
    fs.closeSync(fd);
  }
}

function tooLarge(file: string, size?: number): ConfigError {
  const mb = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  const what = size === undefined ? 'over' : `${mb(size)}, over`;
  return new ConfigError(`config is ${what} the ${mb(MAX_CONFIG_BYTES)} limit for config files; is this the right file?`, file);
}

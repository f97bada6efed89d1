import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SssegError, writeFileAtomic } from '@ssseg/core';

/**
 * Cache file layout: 8 bytes magic `SSSEGMN1`, uint32 LE header length, the JSON header, then
 * the named uint8 arrays back to back in header order. (The magic is mnist-seg's, the first
 * dataset cached so; every composite dataset keeps it, so existing caches stay valid.)
 */
const MAGIC = 'SSSEGMN1';

export interface CacheHeader {
  key: Record<string, unknown>;
  arrays: { name: string; length: number }[];
}

/** Where caches live: SSSEG_CACHE_DIR, else `.cache/ssseg` in the enclosing git repository, else in cwd. */
export function defaultCacheDir(cwd = process.cwd()): string {
  if (process.env.SSSEG_CACHE_DIR) return path.resolve(process.env.SSSEG_CACHE_DIR);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return path.join(dir, '.cache', 'ssseg');
    if (path.dirname(dir) === dir) return path.join(path.resolve(cwd), '.cache', 'ssseg');
  }
}

export function hashKey(key: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 16);
}

export function writeCache(file: string, key: Record<string, unknown>, arrays: Record<string, Uint8Array>): void {
  const header: CacheHeader = { key, arrays: Object.entries(arrays).map(([name, a]) => ({ name, length: a.length })) };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(json.length, 8);
  writeFileAtomic(file, [prefix, json, ...Object.values(arrays)]);
}

/** The cached arrays, or undefined when the file is absent or was made from other options. */
export function readCache(file: string, key: Record<string, unknown>): Record<string, Uint8Array> | undefined {
  if (!fs.existsSync(file)) return undefined;
  const bytes = fs.readFileSync(file);
  if (bytes.length < 12 || bytes.toString('ascii', 0, 8) !== MAGIC) throw new SssegError('not an ssseg composite cache file (delete it to rebuild)', file);
  const length = bytes.readUInt32LE(8);
  let header: CacheHeader;
  try {
    header = JSON.parse(bytes.toString('utf8', 12, 12 + length));
  } catch {
    throw new SssegError('corrupt cache header (delete the file to rebuild)', file);
  }
  if (JSON.stringify(header.key) !== JSON.stringify(key)) return undefined;
  const out: Record<string, Uint8Array> = {};
  let offset = 12 + length;
  for (const { name, length: n } of header.arrays) {
    if (offset + n > bytes.length) throw new SssegError(`truncated cache: array ${name} runs past the end (delete the file to rebuild)`, file);
    out[name] = new Uint8Array(bytes.buffer, bytes.byteOffset + offset, n);
    offset += n;
  }
  return out;
}

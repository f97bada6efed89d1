import * as fs from 'fs';
import * as path from 'path';
import { defaultCacheDir, readCache, writeCache } from './cache';
import { tempDir } from '../testing/fixtures';

describe('composite cache', () => {
  it('lives in SSSEG_CACHE_DIR, else .cache/ssseg at the git root, else in cwd', () => {
    const saved = process.env.SSSEG_CACHE_DIR;
    try {
      process.env.SSSEG_CACHE_DIR = '/tmp/somewhere';
      expect(defaultCacheDir()).toBe('/tmp/somewhere');
      delete process.env.SSSEG_CACHE_DIR;
      const repo = tempDir('repo');
      fs.mkdirSync(path.join(repo, '.git'));
      fs.mkdirSync(path.join(repo, 'a/b'), { recursive: true });
      expect(defaultCacheDir(path.join(repo, 'a/b'))).toBe(path.join(repo, '.cache/ssseg'));
    } finally {
      if (saved === undefined) delete process.env.SSSEG_CACHE_DIR;
      else process.env.SSSEG_CACHE_DIR = saved;
    }
  });

  it('round-trips arrays, ignores a file made from other options, and names a damaged file', () => {
    const file = path.join(tempDir('cache'), 'x/composites.bin');
    writeCache(file, { seed: 1 }, { a: Uint8Array.from([1, 2, 3]), b: Uint8Array.from([9]) });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['composites.bin']);
    const back = readCache(file, { seed: 1 })!;
    expect([Array.from(back.a), Array.from(back.b)]).toEqual([[1, 2, 3], [9]]);
    expect(readCache(file, { seed: 2 })).toBeUndefined();
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, fs.statSync(file).size - 2));
    expect(() => readCache(file, { seed: 1 })).toThrow(/composites\.bin: truncated cache: array a runs past the end/);
  });
});

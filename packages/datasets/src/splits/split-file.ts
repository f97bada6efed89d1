import * as fs from 'fs';
import { SssegError } from '@ssseg/core';
import { dataRoot, fileInsideRoot } from './inside-root';

/** One line of a UniMatch split file: `<image relpath> [<mask relpath>]`, paths relative to (and inside) the data root. */
export interface SplitEntry {
  image: string;
  mask?: string;
  /** Where the entry came from, `file:line`, for error messages. */
  where: string;
}

export interface ReadSplitOptions {
  /** Data root the relative paths resolve against. */
  root: string;
  /** Each line must name a mask (labelled and validation lists); otherwise it is optional. */
  requireMask: boolean;
  /** Check that the mask file exists (unlabelled lists may name masks they never read). */
  checkMask?: boolean;
}

/**
 * Reads a split file and checks every file it names exists inside the data root, so a broken
 * list fails before training with the file and line of the first bad entry.
 */
export function readSplitFile(file: string, options: ReadSplitOptions): SplitEntry[] {
  if (!fs.existsSync(file)) throw new SssegError('split file not found', file);
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const entries: SplitEntry[] = [];
  const root = dataRoot(options.root);
  lines.forEach((line, i) => {
    const text = line.trim();
    if (!text || text.startsWith('#')) return;
    const where = `${file}:${i + 1}`;
    const parts = text.split(/\s+/);
    if (parts.length > 2) throw new SssegError(`expected '<image> <mask>', got ${parts.length} fields`, where);
    const [image, mask] = parts;
    if (options.requireMask && !mask) throw new SssegError(`expected '<image> <mask>', the mask path is missing`, where);
    if (!fs.existsSync(fileInsideRoot(root, image, 'image', where))) {
      throw new SssegError(`image file ${image} not found under ${options.root}`, where);
    }
    const maskFile = mask === undefined ? undefined : fileInsideRoot(root, mask, 'mask', where);
    if (maskFile && (options.checkMask ?? true) && !fs.existsSync(maskFile)) {
      throw new SssegError(`mask file ${mask} not found under ${options.root}`, where);
    }
    entries.push({ image, mask, where });
  });
  if (entries.length === 0) throw new SssegError('split file lists no images', file);
  return entries;
}

/** Writes split lines `<image> <mask>`, one per entry. */
export function formatSplitLines(entries: { image: string; mask?: string }[]): string {
  return entries.map((e) => (e.mask ? `${e.image} ${e.mask}` : e.image)).join('\n') + '\n';
}

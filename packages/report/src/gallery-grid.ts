import * as fs from 'fs';
import * as path from 'path';
import sharp from 'sharp';
import { GALLERY_FOLDER, readGalleryIndex } from '@ssseg/core';
import { escapeHtml } from './html';

export interface GalleryColumn {
  /** Column title (a run id). */
  label: string;
  runDir: string;
}

const TILE = 128;
const GAP = 6;
const FONT = 'DejaVu Sans';
const FONT_SIZE = 11;
const LINE = 14;
/** Characters of a header line that fit a tile's width at FONT_SIZE (about 6.4 px a character). */
const LINE_CHARS = 19;
const MAX_LINES = 3;

/**
 * One PNG: a row per gallery image (image | ground truth | each run's prediction at its last
 * evaluation), masks scaled up without smoothing. Returns undefined when no run recorded a gallery.
 */
export async function writeGalleryGrid(columns: readonly GalleryColumn[], file: string, maxImages = 4): Promise<{ file: string; steps: number[] } | undefined> {
  const withGallery = columns
    .map((c) => ({ ...c, index: readGalleryIndex(c.runDir) }))
    .filter((c) => c.index && c.index.evaluations.length && c.index.images.length);
  if (!withGallery.length) return undefined;
  const first = withGallery[0];
  const rows = Math.min(maxImages, first.index!.images.length);
  const labels = ['image', 'ground truth', ...withGallery.map((c) => c.label)].map(headerLines);
  const HEADER = 12 + LINE * Math.max(...labels.map((l) => l.length));
  const width = labels.length * (TILE + GAP) + GAP;
  const height = HEADER + rows * (TILE + GAP) + GAP;
  const tile = (runDir: string, name: string | undefined) =>
    name && fs.existsSync(path.join(runDir, GALLERY_FOLDER, name))
      ? sharp(path.join(runDir, GALLERY_FOLDER, name)).resize(TILE, TILE, { kernel: 'nearest', fit: 'contain', background: '#ffffff' }).png().toBuffer()
      : undefined;
  const composites: sharp.OverlayOptions[] = [];
  for (let r = 0; r < rows; r++) {
    const entry = first.index!.images[r];
    const cells = [tile(first.runDir, entry.image), tile(first.runDir, entry.truth), ...withGallery.map((c) => {
      const last = c.index!.evaluations[c.index!.evaluations.length - 1];
      return tile(c.runDir, last.predictions[r]);
    })];
    for (const [k, cell] of cells.entries()) {
      const input = await cell;
      if (input) composites.push({ input, left: GAP + k * (TILE + GAP), top: HEADER + GAP + r * (TILE + GAP) });
    }
  }
  // each column's lines end at the same baseline, right above its tiles
  const header = `<svg width="${width}" height="${HEADER}" xmlns="http://www.w3.org/2000/svg">${labels.map((lines, k) => lines.map((line, i) =>
    `<text x="${GAP + k * (TILE + GAP) + TILE / 2}" y="${HEADER - 6 - LINE * (lines.length - 1 - i)}" font-family="${FONT}" font-size="${FONT_SIZE}" text-anchor="middle">${escapeHtml(line)}</text>`).join('')).join('')}</svg>`;
  composites.push({ input: Buffer.from(header), left: 0, top: 0 });
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composites).png().toFile(file);
  return { file, steps: withGallery.map((c) => c.index!.evaluations[c.index!.evaluations.length - 1].step) };
}

/** A column title in lines that fit the tile's width: broken at spaces, a word too long cut with '…'. */
export function headerLines(label: string): string[] {
  const lines: string[] = [];
  for (const word of label.split(/\s+/).filter(Boolean)) {
    const fitted = word.length > LINE_CHARS ? `…${word.slice(-(LINE_CHARS - 1))}` : word;
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + fitted.length <= LINE_CHARS) lines[lines.length - 1] = `${last} ${fitted}`;
    else lines.push(fitted);
  }
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES - 1), `${lines[MAX_LINES - 1].slice(0, LINE_CHARS - 1)}…`];
}

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
const HEADER = 40;
const FONT = 'DejaVu Sans';

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
  const labels = ['image', 'ground truth', ...withGallery.map((c) => c.label)];
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
  const header = `<svg width="${width}" height="${HEADER}" xmlns="http://www.w3.org/2000/svg">${labels.map((label, k) =>
    `<text x="${GAP + k * (TILE + GAP) + TILE / 2}" y="${HEADER - 10}" font-family="${FONT}" font-size="11" text-anchor="middle">${escapeHtml(shorten(label))}</text>`).join('')}</svg>`;
  composites.push({ input: Buffer.from(header), left: 0, top: 0 });
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(composites).png().toFile(file);
  return { file, steps: withGallery.map((c) => c.index!.evaluations[c.index!.evaluations.length - 1].step) };
}

function shorten(label: string): string {
  return label.length > 24 ? `…${label.slice(-23)}` : label;
}

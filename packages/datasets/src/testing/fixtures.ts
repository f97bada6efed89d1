import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { encode } from 'fast-png';

/** VOC's colour map (bit-interleaved), so fixture PNGs look like the real ones. */
export function vocPalette(): [number, number, number][] {
  return Array.from({ length: 256 }, (_, i) => {
    let r = 0, g = 0, b = 0, c = i;
    for (let j = 0; j < 8; j++, c >>= 3) {
      r |= ((c >> 0) & 1) << (7 - j);
      g |= ((c >> 1) & 1) << (7 - j);
      b |= ((c >> 2) & 1) << (7 - j);
    }
    return [r, g, b];
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ssseg-${prefix}-`));
}

/** A deterministic RGB test pattern, HWC uint8. */
export function pattern(h: number, w: number, seed: number): Uint8Array {
  const out = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      out[i] = (x * 20 + seed * 40) % 256;
      out[i + 1] = (y * 20 + seed * 10) % 256;
      out[i + 2] = 128;
    }
  }
  return out;
}

export async function writeJpeg(file: string, rgb: Uint8Array, h: number, w: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toFile(file);
}

export async function writeRgbPng(file: string, rgb: Uint8Array, h: number, w: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
}

export function writePalettePng(file: string, indices: Uint8Array, h: number, w: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encode({ width: w, height: h, data: indices, depth: 8, channels: 1, palette: vocPalette() }));
}

export function writeGreyPng(file: string, values: Uint8Array, h: number, w: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encode({ width: w, height: h, data: values, depth: 8, channels: 1 }));
}

export function writeLines(file: string, lines: string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** A label map whose value depends on position, cycling through `values`. */
export function labelPattern(h: number, w: number, values: number[], shift = 0): Uint8Array {
  const out = new Uint8Array(h * w);
  for (let i = 0; i < out.length; i++) out[i] = values[(Math.floor(i / 3) + shift) % values.length];
  return out;
}

export interface VocTree {
  root: string;
  ids: string[];
  masks: Record<string, Uint8Array>;
  images: Record<string, Uint8Array>;
  h: number;
  w: number;
}

/** A VOC2012-like tree: JPEGImages, SegmentationClass (palette), ImageSets, and a UniMatch split `2`. */
export async function makeVocTree(count = 6, h = 10, w = 12): Promise<VocTree> {
  const root = tempDir('voc');
  const ids = Array.from({ length: count }, (_, i) => `2007_00000${i}`);
  const masks: Record<string, Uint8Array> = {};
  const images: Record<string, Uint8Array> = {};
  for (const [i, id] of ids.entries()) {
    images[id] = pattern(h, w, i);
    await writeJpeg(path.join(root, 'JPEGImages', `${id}.jpg`), images[id], h, w);
    masks[id] = labelPattern(h, w, [0, 15, 20, 255, i + 1], i);
    writePalettePng(path.join(root, 'SegmentationClass', `${id}.png`), masks[id], h, w);
  }
  const line = (id: string) => `JPEGImages/${id}.jpg SegmentationClass/${id}.png`;
  writeLines(path.join(root, 'ImageSets/Segmentation/train.txt'), ids.slice(0, count - 2));
  writeLines(path.join(root, 'ImageSets/Segmentation/val.txt'), ids.slice(count - 2));
  writeLines(path.join(root, 'splits/2/labeled.txt'), ids.slice(0, 2).map(line));
  writeLines(path.join(root, 'splits/2/unlabeled.txt'), ids.slice(2, count - 2).map(line));
  writeLines(path.join(root, 'splits/val.txt'), ids.slice(count - 2).map(line));
  return { root, ids, masks, images, h, w };
}

export interface CityscapesTree {
  root: string;
  /** relpath stem -> labelIds map */
  labelIds: Record<string, Uint8Array>;
  h: number;
  w: number;
}

/** A Cityscapes-like tree (two cities in train, one in val) with labelIds PNGs and split files. */
export async function makeCityscapesTree(h = 8, w = 16): Promise<CityscapesTree> {
  const root = tempDir('cityscapes');
  const labelIds: Record<string, Uint8Array> = {};
  const ids = [0, 1, 4, 7, 8, 11, 17, 21, 26, 33, 255];
  const entries: { split: string; city: string; stem: string }[] = [];
  for (const [split, city, n] of [['train', 'aachen', 2], ['train', 'bochum', 2], ['val', 'lindau', 1]] as const) {
    for (let k = 0; k < n; k++) entries.push({ split, city, stem: `${city}_00000${k}_000019` });
  }
  const lines: Record<string, string[]> = { train: [], val: [] };
  for (const [i, e] of entries.entries()) {
    const image = `leftImg8bit/${e.split}/${e.city}/${e.stem}_leftImg8bit.png`;
    const mask = `gtFine/${e.split}/${e.city}/${e.stem}_gtFine_labelIds.png`;
    await writeRgbPng(path.join(root, image), pattern(h, w, i), h, w);
    labelIds[mask] = labelPattern(h, w, ids, i);
    writeGreyPng(path.join(root, mask), labelIds[mask], h, w);
    lines[e.split].push(`${image} ${mask}`);
  }
  writeLines(path.join(root, 'splits/1_2/labeled.txt'), lines.train.slice(0, 2));
  writeLines(path.join(root, 'splits/1_2/unlabeled.txt'), lines.train.slice(2));
  writeLines(path.join(root, 'splits/val.txt'), lines.val);
  return { root, labelIds, h, w };
}

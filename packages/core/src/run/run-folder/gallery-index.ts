import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { writeFileAtomic } from '../../io/atomic-write';
import { parseJsonRecord, readRecordText } from './json-record';

const NAME = z.string().min(1);

/**
 * A run's prediction gallery, recorded at each evaluation: `gallery/index.json` lists a fixed set of
 * validation images (image and ground-truth PNGs, written once) and, per evaluation step, one
 * predicted-mask PNG per image. Masks are palette PNGs (io/palette-png.ts): pixel value = class,
 * colours = `palette`. The keys are in the order the index is written.
 */
export const GalleryIndexSchema = z.object({
  classNames: z.array(z.string()),
  /** RGB of each class (index = class). */
  palette: z.array(z.tuple([z.number().int(), z.number().int(), z.number().int()])),
  images: z.array(z.object({ id: z.string(), image: NAME, truth: NAME })),
  evaluations: z.array(z.object({ step: z.number().int().nonnegative(), predictions: z.array(NAME) })),
});
export type GalleryIndex = z.infer<typeof GalleryIndexSchema>;

export const GALLERY_FOLDER = 'gallery';
export const GALLERY_INDEX_FILE = 'index.json';

/** The names of a gallery's files, relative to its folder. */
export const galleryNames = {
  image: (i: number) => `image-${i}.png`,
  truth: (i: number) => `truth-${i}.png`,
  prediction: (step: number, i: number) => `step-${String(step).padStart(7, '0')}/prediction-${i}.png`,
};

const WHAT = 'gallery index';
const REMEDY = `delete the run's ${GALLERY_FOLDER} folder to record the gallery afresh`;

export function galleryFolder(runDir: string): string {
  return path.join(runDir, GALLERY_FOLDER);
}

export function galleryIndexFile(runDir: string): string {
  return path.join(runDir, GALLERY_FOLDER, GALLERY_INDEX_FILE);
}

/** Writes the gallery index atomically: written after the PNGs it names, readers never miss a file. */
export function writeGalleryIndex(runDir: string, index: GalleryIndex): void {
  writeFileAtomic(galleryIndexFile(runDir), JSON.stringify(index, null, 2) + '\n');
}

/** The run's gallery index; undefined when the run has none; a damaged one is an error naming the file. */
export function readGalleryIndex(runDir: string): GalleryIndex | undefined {
  const file = galleryIndexFile(runDir);
  const text = readRecordText(file, WHAT);
  return text === undefined ? undefined : parseGalleryIndex(text, file);
}

/** A gallery index from the text of `file` (read by the caller, serve through a checked descriptor); a damaged one is an error naming it. */
export function parseGalleryIndex(text: string, file: string): GalleryIndex {
  return parseJsonRecord(text, file, GalleryIndexSchema, WHAT, REMEDY);
}

/** The path of a gallery file of a run, or undefined for a name that is not a PNG inside the gallery. */
export function galleryFile(runDir: string, name: string): string | undefined {
  const base = path.resolve(galleryFolder(runDir));
  const file = path.resolve(base, name);
  if (!file.startsWith(base + path.sep) || !/\.png$/i.test(file) || !fs.existsSync(file)) return undefined;
  return file;
}

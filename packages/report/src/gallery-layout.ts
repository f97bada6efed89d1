import * as fs from 'fs';
import * as path from 'path';

/**
 * A run's prediction gallery, recorded at each evaluation: `gallery/index.json` lists a fixed set of
 * validation images (image and ground-truth PNGs, written once) and, per evaluation step, one
 * predicted-mask PNG per image. Masks are palette PNGs: pixel value = class, colours = `palette`.
 */
export interface GalleryIndex {
  classNames: string[];
  /** RGB of each class (and of 255, ignore, as the last entry's neighbour is not needed: index = class). */
  palette: [number, number, number][];
  images: { id: string; image: string; truth: string }[];
  evaluations: { step: number; predictions: string[] }[];
}

export const GALLERY_FOLDER = 'gallery';
export const GALLERY_INDEX_FILE = 'index.json';

export const galleryNames = {
  image: (i: number) => `image-${i}.png`,
  truth: (i: number) => `truth-${i}.png`,
  prediction: (step: number, i: number) => `step-${String(step).padStart(7, '0')}/prediction-${i}.png`,
};

export function readGalleryIndex(runDir: string): GalleryIndex | undefined {
  const file = path.join(runDir, GALLERY_FOLDER, GALLERY_INDEX_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseGalleryIndex(text);
}

/** A gallery index from its text; undefined for a damaged one. */
export function parseGalleryIndex(text: string): GalleryIndex | undefined {
  try {
    return JSON.parse(text) as GalleryIndex;
  } catch {
    return undefined; // written atomically, so only a damaged file lands here: treat as absent
  }
}

/** The path of a gallery file of a run, or undefined for a name that is not a PNG inside the gallery. */
export function galleryFile(runDir: string, name: string): string | undefined {
  const base = path.resolve(runDir, GALLERY_FOLDER);
  const file = path.resolve(base, name);
  if (!file.startsWith(base + path.sep) || !/\.png$/i.test(file) || !fs.existsSync(file)) return undefined;
  return file;
}

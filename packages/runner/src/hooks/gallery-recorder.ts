import * as fs from 'fs';
import * as path from 'path';
import {
  encodePaletteMask, encodeRgbPng, galleryFolder, galleryNames, maskPalette, readGalleryIndex, writeFileAtomic, writeGalleryIndex, type GalleryIndex,
  type Sample,
} from '@ssseg/core';

/**
 * Records the predictions of each evaluation on the first `size` validation images, so the
 * dashboard, the report and TensorBoard show them without recomputing. A resumed run keeps the
 * evaluations up to its checkpoint and records the later ones again.
 */
export class GalleryRecorder {
  private readonly dir: string;
  private index: GalleryIndex;
  private pending: string[] = [];
  private readonly palette: number[][];

  constructor(
    private readonly runDir: string, classNames: readonly string[], private readonly size: number, resumedAtStep?: number,
    classColours?: readonly (readonly number[])[],
  ) {
    this.dir = galleryFolder(runDir);
    this.palette = maskPalette(classColours);
    const previous = resumedAtStep === undefined ? undefined : readGalleryIndex(runDir);
    this.index = {
      classNames: [...classNames],
      palette: classNames.map((_, c) => this.palette[c] as [number, number, number]),
      images: previous?.images ?? [],
      evaluations: (previous?.evaluations ?? []).filter((e) => e.step <= (resumedAtStep ?? 0)),
    };
  }

  /** Called for every evaluated image; keeps the first `size`. */
  observe(index: number, sample: Sample, predicted: Int32Array, step: number): void {
    if (index >= this.size) return;
    if (!sample.mask) return;
    fs.mkdirSync(this.dir, { recursive: true });
    if (!this.index.images[index]) {
      const image = galleryNames.image(index), truth = galleryNames.truth(index);
      writeFileAtomic(path.join(this.dir, image), encodeRgbPng(sample));
      writeFileAtomic(path.join(this.dir, truth), encodePaletteMask(sample.mask, sample.height, sample.width, this.palette));
      this.index.images[index] = { id: sample.id, image, truth };
    }
    const name = galleryNames.prediction(step, index);
    fs.mkdirSync(path.dirname(path.join(this.dir, name)), { recursive: true });
    writeFileAtomic(path.join(this.dir, name), encodePaletteMask(predicted, sample.height, sample.width, this.palette));
    this.pending[index] = name;
  }

  /** Adds the evaluation at `step` to the index, written last so readers never see missing files. */
  finish(step: number): void {
    if (!this.pending.length) return;
    this.index.evaluations = [...this.index.evaluations.filter((e) => e.step !== step), { step, predictions: this.pending }]
      .sort((a, b) => a.step - b.step);
    this.pending = [];
    writeGalleryIndex(this.runDir, this.index);
  }
}

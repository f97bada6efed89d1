import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decode } from 'fast-png';
import { readGalleryIndex, type Sample } from '@ssseg/core';
import { GalleryRecorder } from './gallery-recorder';

function sample(i: number): Sample {
  const image = new Float32Array(2 * 3 * 3).map((_, k) => ((k + i) % 5) / 4);
  return { id: `s${i}`, height: 2, width: 3, image, mask: Uint8Array.from([0, 1, 2, 255, 1, 0]) };
}

function evaluation(recorder: GalleryRecorder, step: number, images = 4): void {
  for (let i = 0; i < images; i++) recorder.observe(i, sample(i), Int32Array.from([i, 1, 2, 0, 1, 0]), step);
  recorder.finish(step);
}

describe('GalleryRecorder', () => {
  it("colours masks with the dataset's class colours, VOC's beyond them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-gallery-'));
    evaluation(new GalleryRecorder(dir, ['bg', 'a', 'b'], 1, undefined, [[0, 0, 0], [31, 119, 180], [255, 127, 14]]), 5, 1);
    const index = readGalleryIndex(dir)!;
    expect(index.palette).toEqual([[0, 0, 0], [31, 119, 180], [255, 127, 14]]);
    const truth = decode(fs.readFileSync(path.join(dir, 'gallery', index.images[0].truth)));
    expect(truth.palette!.slice(0, 4)).toEqual([[0, 0, 0], [31, 119, 180], [255, 127, 14], [128, 128, 0]]);
  });

  it('records the first images once and each evaluation\'s predictions as palette PNGs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-gallery-'));
    const recorder = new GalleryRecorder(dir, ['bg', 'a', 'b'], 2);
    evaluation(recorder, 10);
    evaluation(recorder, 20);
    const index = readGalleryIndex(dir)!;
    expect(index.classNames).toEqual(['bg', 'a', 'b']);
    expect(index.palette).toEqual([[0, 0, 0], [128, 0, 0], [0, 128, 0]]);
    expect(index.images.map((e) => e.id)).toEqual(['s0', 's1']);
    expect(index.evaluations.map((e) => e.step)).toEqual([10, 20]);
    const prediction = decode(fs.readFileSync(path.join(dir, 'gallery', index.evaluations[1].predictions[1])));
    expect([prediction.width, prediction.height, prediction.channels]).toEqual([3, 2, 1]);
    expect(Array.from(prediction.data)).toEqual([1, 1, 2, 0, 1, 0]);
    const truth = decode(fs.readFileSync(path.join(dir, 'gallery', index.images[0].truth)));
    expect(Array.from(truth.data)).toEqual([0, 1, 2, 255, 1, 0]);
    const image = decode(fs.readFileSync(path.join(dir, 'gallery', index.images[0].image)));
    expect(image.channels).toBe(3);
    expect(Array.from(image.data.slice(0, 5))).toEqual([0, 64, 128, 191, 255]);
  });

  it('a resumed run keeps the evaluations up to its checkpoint and records later ones again', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-gallery-'));
    const first = new GalleryRecorder(dir, ['bg', 'a', 'b'], 2);
    evaluation(first, 10);
    evaluation(first, 20);
    const resumed = new GalleryRecorder(dir, ['bg', 'a', 'b'], 2, 15);
    evaluation(resumed, 20);
    evaluation(resumed, 30);
    expect(readGalleryIndex(dir)!.evaluations.map((e) => e.step)).toEqual([10, 20, 30]);
  });

  it('records nothing when the gallery size is 0', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-gallery-'));
    evaluation(new GalleryRecorder(dir, ['bg'], 0), 5);
    expect(fs.existsSync(path.join(dir, 'gallery'))).toBe(false);
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  GALLERY_FOLDER, GALLERY_INDEX_FILE, galleryNames, isRunDone, readDoneMarker, readGalleryIndex, removeTemporaryFiles, runFile, runFilesIn,
  runStatus, writeDoneMarker, writeGalleryIndex, type GalleryIndex,
} from '.';
import { MetricsWriter } from './metrics';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ssseg-run-folder-'));

const gallery: GalleryIndex = {
  classNames: ['background', 'digit'],
  palette: [[0, 0, 0], [128, 0, 0]],
  images: [{ id: 'val-0', image: galleryNames.image(0), truth: galleryNames.truth(0) }],
  evaluations: [{ step: 5, predictions: [galleryNames.prediction(5, 0)] }],
};

describe('the run folder, written and read in one module', () => {
  it('writes DONE byte for byte as runs always have and reads it back', () => {
    const dir = tempDir();
    expect(isRunDone(dir)).toBe(false);
    // the keys come out in the marker's order whatever order the caller's object has
    writeDoneMarker(dir, { wallSeconds: 1.5, bestMiou: 0.75, finalMiou: null, steps: 12 });
    expect(fs.readFileSync(path.join(dir, 'DONE'), 'utf8')).toBe('{\n  "steps": 12,\n  "finalMiou": null,\n  "bestMiou": 0.75,\n  "wallSeconds": 1.5\n}\n');
    expect(isRunDone(dir)).toBe(true);
    expect(readDoneMarker(dir)).toEqual({ steps: 12, finalMiou: null, bestMiou: 0.75, wallSeconds: 1.5 });
    expect(runStatus(dir)).toEqual({ state: 'done' });
  });

  it('a missing, empty, torn or foreign DONE is an error naming the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'DONE');
    expect(() => readDoneMarker(dir)).toThrow(`${file}: cannot read the DONE marker: ENOENT`);
    fs.writeFileSync(file, '');
    expect(() => readDoneMarker(dir)).toThrow(`${file}: invalid DONE marker: the file is empty; delete it to resume or train the run again`);
    fs.writeFileSync(file, '{\n  "steps": 12,\n  "fin');
    expect(() => readDoneMarker(dir)).toThrow(new RegExp(`^${file}: invalid DONE marker: .*JSON.*; delete it to resume`));
    fs.writeFileSync(file, JSON.stringify({ steps: -1, finalMiou: 'high', bestMiou: null, wallSeconds: 1 }));
    expect(() => readDoneMarker(dir)).toThrow(`${file}: invalid DONE marker: steps: `);
    expect(() => readDoneMarker(dir)).toThrow(/finalMiou: /);
  });

  it('writes the gallery index byte for byte and reads it back; none is undefined', () => {
    const dir = tempDir();
    expect(readGalleryIndex(dir)).toBeUndefined();
    writeGalleryIndex(dir, gallery);
    const file = path.join(dir, GALLERY_FOLDER, GALLERY_INDEX_FILE);
    expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify(gallery, null, 2) + '\n');
    const read = readGalleryIndex(dir)!;
    expect(read).toEqual(gallery);
    // what a resumed run writes back from what it read is the same bytes
    writeGalleryIndex(dir, read);
    expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify(gallery, null, 2) + '\n');
  });

  it('a torn or foreign gallery index is an error naming the file', () => {
    const dir = tempDir();
    writeGalleryIndex(dir, gallery);
    const file = path.join(dir, GALLERY_FOLDER, GALLERY_INDEX_FILE);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 40));
    expect(() => readGalleryIndex(dir)).toThrow(new RegExp(`^${file}: invalid gallery index: .*JSON.*; delete the run's gallery folder`));
    fs.writeFileSync(file, JSON.stringify({ ...gallery, evaluations: [{ step: 'five', predictions: [] }] }));
    expect(() => readGalleryIndex(dir)).toThrow(`${file}: invalid gallery index: evaluations.0.step: `);
  });

  it('runStatus reads a started, a failed and an empty folder', () => {
    const dir = tempDir();
    expect(runStatus(dir)).toEqual({ state: 'not-started' });
    const metrics = new MetricsWriter(runFile(dir, 'metrics'));
    metrics.write({ event: 'step', step: 1, epoch: 0, time: 0, loss: 1 });
    expect(runStatus(dir)).toEqual({ state: 'incomplete', step: 1 });
    metrics.write({ event: 'end', step: 1, epoch: 0, time: 0, failed: true, stoppedBecause: 'loss is NaN' });
    expect(runStatus(dir)).toEqual({ state: 'failed', step: 1, detail: 'loss is NaN' });
  });

  it('lists the run files present and removes only their leftover temporary files', () => {
    const dir = tempDir();
    writeDoneMarker(dir, { steps: 1, finalMiou: null, bestMiou: null, wallSeconds: 0 });
    fs.writeFileSync(runFile(dir, 'config'), 'x: 1\n');
    fs.writeFileSync(path.join(dir, 'last.ckpt.123.456.tmp'), '');
    fs.writeFileSync(path.join(dir, 'notes.txt.123.456.tmp'), '');
    expect(runFilesIn(dir).sort()).toEqual(['DONE', 'config.yaml']);
    removeTemporaryFiles(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['DONE', 'config.yaml', 'notes.txt.123.456.tmp']);
  });
});

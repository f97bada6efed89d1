import * as fs from 'fs';
import * as path from 'path';
import { PascalVocDataset } from '../readers/pascal-voc';
import { CityscapesDataset } from '../readers/cityscapes';
import { FileSampleSource } from '../readers/file-source';
import { makeCityscapesTree, makeVocTree, tempDir, writeLines } from '../testing/fixtures';
import { optionsFor } from '@ssseg/core';

/**
 * A split file can come from anywhere (a download, a colleague): the files it names must stay
 * inside the data root, or a run would read, decode and train on any file of the machine.
 */
describe('split file paths stay inside the data root', () => {
  const good = 'JPEGImages/2007_000000.jpg SegmentationClass/2007_000000.png';

  /** A VOC tree plus a readable image and mask just outside its root. */
  async function vocWithOutsideFiles() {
    const tree = await makeVocTree(5);
    const outside = path.dirname(tree.root);
    const name = path.basename(tree.root);
    fs.copyFileSync(path.join(tree.root, 'JPEGImages/2007_000001.jpg'), path.join(outside, `${name}-outside.jpg`));
    fs.copyFileSync(path.join(tree.root, 'SegmentationClass/2007_000001.png'), path.join(outside, `${name}-outside.png`));
    return { root: tree.root, image: `../${name}-outside.jpg`, mask: `../${name}-outside.png`, outside };
  }

  it('refuses a line that climbs out with .., naming the split file and line', async () => {
    const { root } = await makeVocTree(5);
    writeLines(path.join(root, 'splits/2/labeled.txt'), [good, '../../../etc/passwd SegmentationClass/2007_000000.png']);
    expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(
      `${path.join(root, 'splits/2/labeled.txt')}:2: image path ../../../etc/passwd leaves the data root ${root}`,
    );
  });

  it('refuses an existing image outside the root even when the path dips into the root first', async () => {
    const { root, image } = await vocWithOutsideFiles();
    writeLines(path.join(root, 'splits/val.txt'), [good, `JPEGImages/../${image} SegmentationClass/2007_000000.png`]);
    expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(
      `${path.join(root, 'splits/val.txt')}:2: image path JPEGImages/../${image} leaves the data root ${root}`,
    );
  });

  it('refuses an absolute path, naming the split file and line', async () => {
    const { root } = await makeVocTree(5);
    writeLines(path.join(root, 'splits/2/labeled.txt'), [`${path.join(root, 'JPEGImages/2007_000000.jpg')} SegmentationClass/2007_000000.png`]);
    expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(
      new RegExp(`labeled\\.txt:1: image path /.*2007_000000\\.jpg is absolute; split files name paths relative to the data root`),
    );
  });

  it('refuses a mask outside the root, also in the unlabelled list whose masks are never read', async () => {
    const { root, mask } = await vocWithOutsideFiles();
    writeLines(path.join(root, 'splits/2/labeled.txt'), [`JPEGImages/2007_000000.jpg ${mask}`]);
    expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(`labeled.txt:1: mask path ${mask} leaves the data root`);
    const tree = await makeVocTree(5);
    writeLines(path.join(tree.root, 'splits/2/unlabeled.txt'), [good, 'JPEGImages/2007_000001.jpg /etc/shadow']);
    const ds = new PascalVocDataset(optionsFor(PascalVocDataset, { root: tree.root, split: '2' }));
    expect(() => ds.unlabelled()).toThrow(`unlabeled.txt:2: mask path /etc/shadow is absolute`);
  });

  it('refuses a link inside the root that points outside it', async () => {
    const { root, outside } = await vocWithOutsideFiles();
    fs.symlinkSync(path.join(outside, `${path.basename(root)}-outside.jpg`), path.join(root, 'JPEGImages/linked.jpg'));
    writeLines(path.join(root, 'splits/2/labeled.txt'), [good, 'JPEGImages/linked.jpg SegmentationClass/2007_000001.png']);
    expect(() => new PascalVocDataset(optionsFor(PascalVocDataset, { root, split: '2' }))).toThrow(
      new RegExp(`labeled\\.txt:2: image path JPEGImages/linked\\.jpg is a link to .*-outside\\.jpg, outside the data root`),
    );
  });

  it('accepts links that stay inside the root, and a root that is itself a link', async () => {
    const { root, ids } = await makeVocTree(5);
    fs.symlinkSync(path.join(root, 'JPEGImages'), path.join(root, 'images'));
    writeLines(path.join(root, 'splits/2/labeled.txt'), [`images/${ids[0]}.jpg SegmentationClass/${ids[0]}.png`]);
    const linkedRoot = path.join(tempDir('voc-link'), 'voc');
    fs.symlinkSync(root, linkedRoot);
    for (const r of [root, linkedRoot]) {
      const sample = await new PascalVocDataset(optionsFor(PascalVocDataset, { root: r, split: '2' })).labelled().get(0);
      expect([sample.height, sample.width]).toEqual([10, 12]);
    }
  });

  it('holds for Cityscapes split files too', async () => {
    const { root } = await makeCityscapesTree();
    writeLines(path.join(root, 'splits/val.txt'), ['leftImg8bit/../../x.png gtFine/val/lindau/lindau_000000_000019_gtFine_labelIds.png']);
    expect(() => new CityscapesDataset(optionsFor(CityscapesDataset, { root, split: '1_2' }))).toThrow(`val.txt:1: image path leftImg8bit/../../x.png leaves the data root`);
  });

  it('holds for a sample source built from entries that no split file checked', async () => {
    const { root, image } = await vocWithOutsideFiles();
    const source = new FileSampleSource(root, [{ image, where: 'list.txt:7' }]);
    await expect(source.get(0)).rejects.toThrow(`list.txt:7: image path ${image} leaves the data root`);
  });
});

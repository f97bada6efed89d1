import { decode } from 'fast-png';
import type { Sample } from '@ssseg/core';
import { encodeSampleGrid } from './sample-grid';
import { vocPalette } from '@ssseg/core';

describe('encodeSampleGrid', () => {
  // 1x2 samples: the first has a mask (classes 1 and 2), the second has none
  const withMask: Sample = { id: 'a', height: 1, width: 2, image: Float32Array.from([1, 0, 0, 0, 0, 1]), mask: Uint8Array.from([1, 2]) };
  const without: Sample = { id: 'b', height: 1, width: 2, image: Float32Array.from([0, 1, 0, 0.5, 0.5, 0.5]) };

  it('draws each image beside its mask in VOC colours, scaled without smoothing, 4-pixel white gaps', () => {
    const png = decode(encodeSampleGrid([withMask, without], { pairsPerRow: 2, scale: 2 }));
    // 4 tiles of 2x4 pixels in one row: width 4 * (4 + 4) + 4, height 2 + 8
    expect([png.width, png.height, png.channels]).toEqual([36, 10, 3]);
    const at = (x: number, y: number) => Array.from(png.data.subarray(3 * (y * png.width + x), 3 * (y * png.width + x) + 3));
    const palette = vocPalette();
    expect([at(4, 4), at(5, 5), at(6, 4), at(7, 5)]).toEqual([[255, 0, 0], [255, 0, 0], [0, 0, 255], [0, 0, 255]]);
    expect([at(12, 4), at(14, 5)]).toEqual([palette[1], palette[2]]);
    expect([at(20, 4), at(22, 4)]).toEqual([[0, 255, 0], [128, 128, 128]]);
    expect(at(28, 4)).toEqual([255, 255, 255]); // no mask: blank tile
    expect([at(0, 0), at(10, 4), at(4, 3)]).toEqual([[255, 255, 255], [255, 255, 255], [255, 255, 255]]);
  });

  it('wraps rows and refuses samples of different sizes', () => {
    expect(decode(encodeSampleGrid([withMask, without, withMask], { pairsPerRow: 2, scale: 1 })).height).toBe(4 + 2 * (1 + 4));
    expect(() => encodeSampleGrid([withMask, { ...without, width: 1, image: new Float32Array(3) }])).toThrow(/differ in size/);
  });
});

import type { Sample, SampleSource } from '@ssseg/core';

/** Composites back to back: images count x size x size x 3, masks count x size x size (uint8). */
export interface Composites {
  count: number;
  images: Uint8Array;
  masks: Uint8Array;
}

/** Some of a set's composites (by index) as samples `<set>/<index>`, images scaled to [0, 1]. */
export class CompositeSource implements SampleSource {
  constructor(
    private readonly data: Composites,
    private readonly indices: number[],
    private readonly canvas: number,
    private readonly set: string,
    private readonly withMask: boolean,
  ) {}

  get length(): number {
    return this.indices.length;
  }

  id(index: number): string {
    return `${this.set}/${this.at(index)}`;
  }

  async get(index: number): Promise<Sample> {
    const i = this.at(index);
    const n = this.canvas * this.canvas;
    const image = new Float32Array(n * 3);
    const bytes = this.data.images.subarray(i * n * 3, (i + 1) * n * 3);
    for (let k = 0; k < image.length; k++) image[k] = bytes[k] / 255;
    const sample: Sample = { id: `${this.set}/${i}`, height: this.canvas, width: this.canvas, image };
    if (this.withMask) sample.mask = this.data.masks.slice(i * n, (i + 1) * n);
    return sample;
  }

  private at(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.indices.length) {
      throw new RangeError(`sample index ${index} out of range [0, ${this.indices.length})`);
    }
    return this.indices[index];
  }
}

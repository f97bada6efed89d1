import { componentType, type Dataset, type Sample, type SampleSource } from '@ssseg/core';

/** Samples made on demand: image value encodes (index, pixel), mask = index mod classes. */
export class MemorySource implements SampleSource {
  /** Indices whose get() has started, in order. */
  readonly requested: number[] = [];
  constructor(
    readonly length: number,
    private readonly prefix: string,
    private readonly size: [number, number],
    private readonly withMask: boolean,
    private readonly delayMs = 0,
  ) {}
  id(i: number): string {
    return `${this.prefix}${i}`;
  }
  async get(i: number): Promise<Sample> {
    this.requested.push(i);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const [h, w] = this.size;
    const image = new Float32Array(h * w * 3);
    for (let k = 0; k < image.length; k++) image[k] = ((i * 31 + k) % 97) / 97;
    const sample: Sample = { id: this.id(i), height: h, width: w, image };
    if (this.withMask) sample.mask = new Uint8Array(h * w).fill(i % 4);
    return sample;
  }
}

export class MemoryDataset implements Dataset {
  static readonly type = 'memory';
  readonly type = componentType(this);
  readonly numClasses = 4;
  readonly classNames = ['a', 'b', 'c', 'd'];
  readonly cropSize: number;
  readonly sources: { labelled: MemorySource; unlabelled: MemorySource; validation: MemorySource };
  constructor(o: { labelled: number; unlabelled: number; validation?: number; size?: [number, number]; delayMs?: number }) {
    const size = o.size ?? [8, 8];
    this.cropSize = size[0];
    this.sources = {
      labelled: new MemorySource(o.labelled, 'l', size, true, o.delayMs),
      unlabelled: new MemorySource(o.unlabelled, 'u', size, false, o.delayMs),
      validation: new MemorySource(o.validation ?? 3, 'v', size, true, o.delayMs),
    };
  }
  labelled(): SampleSource {
    return this.sources.labelled;
  }
  unlabelled(): SampleSource {
    return this.sources.unlabelled;
  }
  validation(): SampleSource {
    return this.sources.validation;
  }
}

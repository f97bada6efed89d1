import { SssegError } from '@ssseg/core';

/** Source of the one component a new plugin starts with, per extension point. */
export interface ComponentTemplate {
  token: string;
  className: string;
  source: string;
  test: string;
}

const header = (imports: string) => `import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { ${imports} } from '@ssseg/core';
`;

export function componentTemplate(kind: string, type: string, className: string): ComponentTemplate {
  switch (kind) {
    case 'regularizer':
      return {
        token: 'Regularizer',
        className,
        source: `${header('ComponentOptions, componentType, type Regularizer, type UnsupervisedContext')}
const options = z.strictObject({
  weight: z.number().min(0).default(0.1),
  name: z.string().default('${type}'),
});

/** Squared difference between student and teacher probabilities on non-ignored pixels. */
@injectable()
export class ${className} implements Regularizer {
  static options = options;
  static summary = 'student-teacher probability consistency';
  static readonly type = '${type}';
  readonly type = componentType(this);
  readonly name: string;

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof ${className}.options>) {
    this.name = opts.name;
  }

  loss(context: UnsupervisedContext): tf.Scalar {
    return tf.tidy(() => {
      const perView = context.views.map((view) => {
        const diff = tf.sum(tf.square(tf.sub(tf.softmax(view.studentLogits), tf.softmax(view.teacherLogits))), -1);
        const valid = tf.sub(1, view.ignoreMask);
        return tf.div(tf.sum(tf.mul(diff, valid)), tf.maximum(tf.sum(valid), 1));
      });
      return tf.mul(tf.div(tf.addN(perView), perView.length), this.opts.weight) as tf.Scalar;
    });
  }
}
`,
        test: `import { tf } from '@ssseg/engine';
import { PluginHost, Regularizer, Rng, type StrongViewContext } from '@ssseg/core';
import plugin from './index';

describe('${type}', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is zero when student equals teacher, positive otherwise, and leaks no tensors', () => {
    const host = new PluginHost();
    host.load(plugin);
    const reg = host.build(Regularizer, { type: '${type}', weight: 1 }, 'regularizers[0]');
    const before = tf.memory().numTensors;
    const a = tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]);
    const b = tf.tensor4d([0, 1, 0, 1], [1, 1, 2, 2]);
    const ignore = tf.zeros([1, 1, 2]) as tf.Tensor3D;
    const ctx = (student: tf.Tensor4D, teacher: tf.Tensor4D) => ({
      views: [{ studentLogits: student, teacherLogits: teacher, ignoreMask: ignore } as StrongViewContext],
      weakTeacherLogits: teacher, inputSize: [1, 2] as [number, number], numClasses: 2,
      step: 0, totalSteps: 1, rng: Rng.fromSeed(1), log: () => undefined,
    });
    const same = reg.loss(ctx(a, a));
    const different = reg.loss(ctx(a, b));
    expect(same.dataSync()[0]).toBe(0);
    expect(different.dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([a, b, ignore, same, different]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
`,
      };
    case 'pseudo-labeler':
      return {
        token: 'PseudoLabeler',
        className,
        source: `${header('ComponentOptions, componentType, type PseudoLabeler, type PseudoLabels')}
const options = z.strictObject({ confThreshold: z.number().min(0).max(1).default(0.9) });

/** Hard labels where the teacher's top-class probability passes the threshold. */
@injectable()
export class ${className} implements PseudoLabeler {
  static options = options;
  static summary = 'argmax labels above a confidence threshold';
  static readonly type = '${type}';
  readonly type = componentType(this);

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof ${className}.options>) {}

  label(teacherLogits: tf.Tensor4D): PseudoLabels {
    return tf.tidy(() => {
      const probs = tf.softmax(teacherLogits) as tf.Tensor4D;
      const confidence = tf.max(probs, -1) as tf.Tensor3D;
      return {
        probs,
        confidence,
        labels: tf.argMax(probs, -1) as tf.Tensor3D,
        mask: tf.cast(tf.greaterEqual(confidence, this.opts.confThreshold), 'float32') as tf.Tensor3D,
      };
    });
  }
}
`,
        test: `import { tf } from '@ssseg/engine';
import { PluginHost, PseudoLabeler } from '@ssseg/core';
import plugin from './index';

describe('${type}', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('keeps only confident pixels', () => {
    const host = new PluginHost();
    host.load(plugin);
    const labeler = host.build(PseudoLabeler, { type: '${type}', confThreshold: 0.9 }, 'method.pseudoLabeler');
    const before = tf.memory().numTensors;
    const logits = tf.tensor4d([5, 0, 0.1, 0], [1, 1, 2, 2]);
    const out = labeler.label(logits);
    expect(Array.from(out.mask.dataSync())).toEqual([1, 0]);
    expect(Array.from(out.labels.dataSync())).toEqual([0, 0]);
    tf.dispose([logits, out.probs, out.labels, out.confidence, out.mask]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
`,
      };
    case 'augmentation':
      return {
        token: 'Augmentation',
        className,
        source: `import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { ComponentOptions, componentType, type Augmentation, type Rng, type Sample } from '@ssseg/core';

const options = z.strictObject({ p: z.number().min(0).max(1).default(0.5) });

/** Vertical flip with probability p; image, mask, ignore and CutMix box move together. */
@injectable()
export class ${className} implements Augmentation {
  static options = options;
  static summary = 'vertical flip';
  static readonly type = '${type}';
  readonly type = componentType(this);

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof ${className}.options>) {}

  apply(sample: Sample, rng: Rng): Sample {
    if (!rng.bernoulli(this.opts.p)) return sample;
    const { height: h, width: w } = sample;
    const flip = <T extends Float32Array | Uint8Array>(data: T | undefined, channels: number): T | undefined => {
      if (!data) return undefined;
      const out = data.slice() as T;
      const row = w * channels;
      for (let y = 0; y < h; y++) out.set(data.subarray((h - 1 - y) * row, (h - y) * row), y * row);
      return out;
    };
    return {
      ...sample,
      image: flip(sample.image, 3)!,
      mask: flip(sample.mask, 1),
      ignore: flip(sample.ignore, 1),
      cutmixBox: flip(sample.cutmixBox, 1),
    };
  }
}
`,
        test: `import { PluginHost, Augmentation, Rng } from '@ssseg/core';
import plugin from './index';

describe('${type}', () => {
  it('moves a marked pixel to the same place in image and mask', () => {
    const host = new PluginHost();
    host.load(plugin);
    const aug = host.build(Augmentation, { type: '${type}', p: 1 }, 'augmentations.weak[0]');
    const image = new Float32Array(2 * 3 * 3);
    const mask = new Uint8Array(2 * 3);
    image.set([1, 1, 1], 0); // pixel (0, 0)
    mask[0] = 7;
    const out = aug.apply({ id: 'x', height: 2, width: 3, image, mask }, Rng.fromSeed(1));
    expect(Array.from(out.image.subarray(9, 12))).toEqual([1, 1, 1]); // pixel (1, 0)
    expect(out.mask![3]).toBe(7);
  });
});
`,
      };
    default:
      throw new SssegError(`unknown plugin kind '${kind}': use one of ${PLUGIN_KINDS.join(', ')}`);
  }
}

export const PLUGIN_KINDS = ['regularizer', 'pseudo-labeler', 'augmentation'] as const;

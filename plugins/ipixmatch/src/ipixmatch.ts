import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import {
  componentType, ComponentOptions, gradientNormOnTape, resizeLogits, resizeMask, type Regularizer, type StrongViewContext, type UnsupervisedContext,
} from '@ssseg/core';
import { INTER_PIXEL_DEFAULTS, interPixelLossWithStats } from '@ssseg/losses';

const options = z
  .strictObject({
    relation: z.enum(['affinity', 'spatial']).default('affinity'),
    /** KL by default: the correlation form hurt in the reference runs and collapsed at weight 1 (docs/IPIXMATCH.md). */
    distance: z.enum(['kl', 'correlation']).default('kl'),
    /** 0.3: the one setting that came out (slightly) above plain FixMatch in the reference runs. */
    weight: z.number().min(0).default(0.3),
    confThreshold: z.number().min(0).max(1).default(INTER_PIXEL_DEFAULTS.confThreshold),
    teacherTemperature: z.number().positive().default(1),
    studentTemperature: z.number().positive().default(1),
    /** Confident pixels per image at most, sampled with the run's seeded RNG; null keeps every confident pixel. */
    maxPixels: z.number().int().min(2).nullable().default(null),
    /** Relations from the `rows` to the `columns`: the confident pixels, or `all` non-ignored ones (see interPixelLoss). */
    rows: z.enum(['confident', 'all']).default('confident'),
    columns: z.enum(['confident', 'all']).default('confident'),
    /** Per image, at most this many confident pixels of each teacher class, evenly in raster order; null keeps all. */
    perClass: z.number().int().min(1).nullable().default(null),
    /** Relations within each `image`, or among the pixels of the whole `batch` pooled. */
    scope: z.enum(['image', 'batch']).default('image'),
    /** Spatial relation only: average over `all` classes, or those `present` as the teacher's argmax on a kept pixel. */
    classes: z.enum(['all', 'present']).default('all'),
    /**
     * Every this many steps (0: never), log the ratio of this term's gradient norm on the strong
     * views' student logits to that of the method's unsupervised loss (as each enters the total):
     * `gradRatio` with the weight and ramp applied, `gradRatioPerWeight` without. Costs one more
     * backward pass of the term on those steps.
     */
    gradRatioEvery: z.number().int().min(0).default(0),
    /** `output`: logits as the network gives them (stride 4 for DeepLabV3+); `input`: upsampled to the view size. */
    resolution: z.enum(['output', 'input']).default('output'),
    /**
     * Compare relations on logits shrunk by this factor (bilinear, so 2 averages 2x2 blocks): M falls by
     * stride^2 and the KL form's cost by stride^4. For networks whose logits are at the input's size
     * (U-Net), 4 matches DeepLabV3+'s stride-4 outputs.
     */
    stride: z.number().int().min(1).default(1),
    /** Iterations over which the weight rises linearly from 0 (0: full weight from the first step). */
    rampUp: z.number().int().min(0).default(0),
    chunkRows: z.number().int().positive().default(INTER_PIXEL_DEFAULTS.chunkRows),
    stdFloor: z.number().positive().default(INTER_PIXEL_DEFAULTS.stdFloor),
    epsilon: z.number().min(0).default(INTER_PIXEL_DEFAULTS.epsilon),
    name: z.string().min(1).default('ipixmatch'),
  })
  .superRefine((o, ctx) => {
    if (o.relation === 'spatial' && o.rows !== 'confident') {
      ctx.addIssue({ code: 'custom', path: ['rows'], message: "applies to relation 'affinity' only (spatial distributions run over the columns)" });
    }
    if (o.relation !== 'spatial' && o.classes !== 'all') {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: "applies to relation 'spatial' only" });
    }
  });
export type IPixMatchOptions = z.infer<typeof options>;

/**
 * IPixMatch (specified in docs/IPIXMATCH.md): the student's inter-pixel relations on each strong view are pulled towards the
 * teacher's on the CutMix-aligned weak view, over the teacher's confident, non-ignored pixels
 * (or, with `rows`/`columns: all`, from or to every non-ignored pixel). Returns
 * `weight * ramp * mean over views of L`; logs L, the confident share, the mean number of kept
 * confident pixels per image and, every `gradRatioEvery` steps, the gradient ratio.
 */
@injectable()
export class IPixMatchRegularizer implements Regularizer {
  static options = options;
  static summary = 'inter-pixel relation consistency (affinity or spatial, KL or correlation) on confident pixels';
  static readonly type = 'ipixmatch';
  readonly type = componentType(this);
  readonly name: string;
  readonly opts: IPixMatchOptions;

  constructor(@inject(ComponentOptions) opts: Record<string, unknown>) {
    this.opts = opts as IPixMatchOptions;
    this.name = this.opts.name;
  }

  /** Linear ramp from 0 at step 0 to 1 at step `rampUp`. */
  rampFactor(step: number): number {
    return this.opts.rampUp > 0 ? Math.min(1, step / this.opts.rampUp) : 1;
  }

  loss(context: UnsupervisedContext): tf.Scalar {
    if (!context.views.length) throw new Error(`regularizer '${this.name}' (ipixmatch) got no strong views in its context`);
    if (this.opts.gradRatioEvery > 0 && !context.unsupervisedLoss) {
      throw new Error(`regularizer '${this.name}' (ipixmatch): gradRatioEvery needs the method's unsupervised loss, and this method passes none to its regularizers`);
    }
    const rng = this.opts.maxPixels !== null ? context.rng.fork(`${this.name}/${context.step}`) : undefined;
    let confident = 0;
    let kept = 0;
    let images = 0;
    const mean = tf.tidy(() => {
      const perView = context.views.map((view) => {
        const { teacher, student, ignore } = this.atResolution(view, context.inputSize);
        const r = interPixelLossWithStats(teacher, student, {
          relation: this.opts.relation,
          distance: this.opts.distance,
          confThreshold: this.opts.confThreshold,
          teacherTemperature: this.opts.teacherTemperature,
          studentTemperature: this.opts.studentTemperature,
          maxPixels: this.opts.maxPixels,
          rows: this.opts.rows,
          columns: this.opts.columns,
          perClass: this.opts.perClass,
          scope: this.opts.scope,
          classes: this.opts.classes,
          chunkRows: this.opts.chunkRows,
          stdFloor: this.opts.stdFloor,
          epsilon: this.opts.epsilon,
          ignoreMask: ignore,
          rng,
        });
        confident += r.confidentShare;
        kept += r.keptPerImage.reduce((a, b) => a + b, 0);
        images += r.keptPerImage.length;
        return r.loss;
      });
      return tf.addN(perView).div(perView.length) as tf.Scalar;
    });
    context.log(`${this.name}/value`, mean.dataSync()[0]);
    context.log(`${this.name}/confident`, confident / context.views.length);
    context.log(`${this.name}/pixels`, images ? kept / images : 0);
    const factor = this.opts.weight * this.rampFactor(context.step);
    if (this.opts.gradRatioEvery > 0 && context.step % this.opts.gradRatioEvery === 0) this.logGradRatio(mean, factor, context);
    const weighted = mean.mul(factor) as tf.Scalar;
    mean.dispose();
    return weighted;
  }

  /** ||d term / d student logits|| over ||d unsupervised loss / d student logits||, on the strong views (none when the latter is 0). */
  private logGradRatio(term: tf.Scalar, factor: number, context: UnsupervisedContext): void {
    const students = context.views.map((v) => v.studentLogits);
    const reference = gradientNormOnTape(context.unsupervisedLoss!, students);
    if (reference === 0) return;
    const perWeight = gradientNormOnTape(term, students) / reference;
    context.log(`${this.name}/gradRatioPerWeight`, perWeight);
    context.log(`${this.name}/gradRatio`, perWeight * factor);
  }

  /** Runs inside the loss's tidy, so the resized tensors are disposed with it. */
  private atResolution(view: StrongViewContext, inputSize: [number, number]) {
    const [, outH, outW] = view.studentLogits.shape;
    const [h, w] = this.opts.resolution === 'output' ? [outH, outW] : inputSize;
    const size: [number, number] = [Math.ceil(h / this.opts.stride), Math.ceil(w / this.opts.stride)];
    if (size[0] === outH && size[1] === outW) {
      return { teacher: view.teacherLogits, student: view.studentLogits, ignore: view.ignoreMask };
    }
    return {
      teacher: resizeLogits(view.teacherLogits, size),
      student: resizeLogits(view.studentLogits, size),
      ignore: resizeMask(view.ignoreMask, size),
    };
  }
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import {
  componentType, ComponentOptions, gradientNormOnTape, resizeLogits, resizeMask, type Regularizer, type StrongViewContext, type UnsupervisedContext,
} from '@ssseg/core';
import { InterPixelSettings, interPixelLossWithStats, interPixelRules } from '@ssseg/losses';

const options = InterPixelSettings.extend({
  /** 0.3: the one setting that came out (slightly) above plain FixMatch in the reference runs. */
  weight: z.number().min(0).default(0.3),
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
  name: z.string().min(1).default('ipixmatch'),
}).superRefine(interPixelRules);

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

  constructor(@inject(ComponentOptions) readonly opts: ComponentOptions<typeof IPixMatchRegularizer.options>) {
    this.name = opts.name;
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
        const r = interPixelLossWithStats(teacher, student, { ...this.opts, ignoreMask: ignore, rng });
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

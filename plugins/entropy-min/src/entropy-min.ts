import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { tf } from '@ssseg/engine';
import { componentType, ComponentOptions, type Regularizer, type UnsupervisedContext } from '@ssseg/core';

const options = z.strictObject({
  weight: z.number().min(0).default(0.1),
  /** Iterations over which the weight rises linearly from 0. */
  rampUp: z.number().int().min(0).default(0),
  name: z.string().default('entropy'),
});

/**
 * Entropy minimisation (Grandvalet & Bengio, 2005): pushes the student towards confident
 * predictions on the strong views, averaged over non-ignored pixels and over views.
 */
@injectable()
export class EntropyMinimisation implements Regularizer {
  static options = options;
  static summary = 'mean prediction entropy of the student on strong views';
  static readonly type = 'entropy-min';
  readonly type = componentType(this);
  readonly name: string;

  constructor(@inject(ComponentOptions) private readonly opts: ComponentOptions<typeof EntropyMinimisation.options>) {
    this.name = opts.name;
  }

  // tf.sum(x) rather than x.sum(): the chained ops are typed inside the ssseg workspace only, and
  // `ssseg plugin new` copies this file into packages of their own
  loss(context: UnsupervisedContext): tf.Scalar {
    const ramp = this.opts.rampUp ? Math.min(1, context.step / this.opts.rampUp) : 1;
    return tf.tidy(() => {
      const perView = context.views.map((view) => {
        const logProbs = tf.logSoftmax(view.studentLogits);
        const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1));
        const valid = tf.sub(1, view.ignoreMask);
        return tf.div(tf.sum(tf.mul(entropy, valid)), tf.maximum(tf.sum(valid), 1));
      });
      const mean = tf.div(tf.addN(perView), perView.length) as tf.Scalar;
      context.log(`${this.name}/value`, mean.dataSync()[0]);
      return tf.mul(mean, this.opts.weight * ramp) as tf.Scalar;
    });
  }
}

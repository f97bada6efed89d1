import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { fusedAdamUpdate, tf } from '@ssseg/engine';
import { ComponentOptions } from '../tokens';
import { componentType } from '../plugin';
import { SlotOptimizer, type VariableUpdate } from './optimizer';

const options = z.strictObject({
  beta1: z.number().min(0).max(1).optional(),
  beta2: z.number().min(0).max(1).optional(),
  epsilon: z.number().positive().optional(),
  /** Decoupled weight decay (AdamW) when > 0. */
  weightDecay: z.number().min(0).default(1e-4),
  /**
   * Not used (beta1 is Adam's momentum). Every optimizer took this key before optimizers were
   * registry types, and the config.yaml of runs from then carry it: they still load and resume.
   */
  momentum: z.number().min(0).max(1).optional(),
});

/** Adam (AdamW when weightDecay > 0), as torch.optim.AdamW computes it. */
@injectable()
export class Adam extends SlotOptimizer {
  static readonly type = 'adam';
  static options = options;
  static summary = 'Adam; AdamW (decoupled weight decay) when weightDecay > 0, as torch.optim.AdamW';
  readonly type = componentType(this);
  constructor(@inject(ComponentOptions) private readonly options: ComponentOptions<typeof Adam.options>) {
    super();
  }

  protected fusedUpdate({ name, variable, grad, lr, step }: VariableUpdate): Array<[tf.Variable, tf.Tensor]> | undefined {
    const [m, v] = this.moments(name, variable);
    // the same float32 arithmetic as update()
    const fused = fusedAdamUpdate(variable, grad, m, v, { lr, ...this.rule(step) });
    return fused && [[variable, fused[0]], [m, fused[1]], [v, fused[2]]];
  }

  protected update({ name, variable, grad, lr, step }: VariableUpdate): void {
    const [m, v] = this.moments(name, variable);
    const { beta1, beta2, epsilon, bias1, bias2, weightDecay } = this.rule(step);
    m.assign(m.mul(beta1).add(grad.mul(1 - beta1)));
    v.assign(v.mul(beta2).add(grad.square().mul(1 - beta2)));
    const update = m.div(bias1).div(v.div(bias2).sqrt().add(epsilon));
    let next = variable.sub(update.mul(lr));
    if (weightDecay) next = next.sub(variable.mul(lr * weightDecay));
    variable.assign(next);
  }

  /** The first and second moment slots of a variable. */
  private moments(name: string, variable: tf.Variable): [tf.Variable, tf.Variable] {
    return [this.slot(`${name}/m`, variable), this.slot(`${name}/v`, variable)];
  }

  /** The hyperparameters and bias corrections of step `step` (1 on the first). */
  private rule(step: number) {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay } = this.options;
    return { beta1, beta2, epsilon, weightDecay, bias1: 1 - Math.pow(beta1, step), bias2: 1 - Math.pow(beta2, step) };
  }
}

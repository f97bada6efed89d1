import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { fusedAdamUpdate, tf } from '@ssseg/engine';
import { ComponentOptions, type ParamGroup } from '../tokens';
import { componentType } from '../plugin';
import { SlotOptimizer } from './optimizer';

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

  apply(groups: ParamGroup[], grads: Map<string, tf.Tensor>, lr: number): void {
    const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay } = this.options;
    const t = this.steps + 1;
    const bias1 = 1 - Math.pow(beta1, t);
    const bias2 = 1 - Math.pow(beta2, t);
    for (const group of groups) {
      const groupLr = lr * group.lrMultiplier;
      for (const [name, variable] of group.variables) {
        const grad = grads.get(name);
        if (!grad) continue;
        const m = this.slot(`${name}/m`, variable);
        const v = this.slot(`${name}/v`, variable);
        // one kernel where the backend has it (native), the same float32 arithmetic as below
        const fused = fusedAdamUpdate(variable, grad, m, v, { lr: groupLr, beta1, beta2, epsilon, bias1, bias2, weightDecay });
        if (fused) {
          [variable, m, v].forEach((target, i) => target.assign(fused[i]));
          tf.dispose(fused);
          continue;
        }
        tf.tidy(() => {
          m.assign(m.mul(beta1).add(grad.mul(1 - beta1)));
          v.assign(v.mul(beta2).add(grad.square().mul(1 - beta2)));
          const update = m.div(bias1).div(v.div(bias2).sqrt().add(epsilon));
          let next = variable.sub(update.mul(groupLr));
          if (weightDecay) next = next.sub(variable.mul(groupLr * weightDecay));
          variable.assign(next);
        });
      }
    }
    this.steps++;
  }
}

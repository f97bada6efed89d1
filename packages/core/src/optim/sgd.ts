import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { fusedSgdUpdate, tf } from '@ssseg/engine';
import { ComponentOptions, type ParamGroup } from '../tokens';
import { componentType } from '../plugin';
import { SlotOptimizer } from './optimizer';

const options = z.strictObject({
  momentum: z.number().min(0).max(1).default(0.9),
  /** L2 weight decay, added to the gradient (torch.optim.SGD's weight_decay). */
  weightDecay: z.number().min(0).default(1e-4),
  nesterov: z.boolean().optional(),
});

/** SGD with momentum and L2 weight decay, as torch.optim.SGD computes it. */
@injectable()
export class Sgd extends SlotOptimizer {
  static readonly type = 'sgd';
  static options = options;
  static summary = 'SGD with momentum (optionally Nesterov) and L2 weight decay, as torch.optim.SGD';
  readonly type = componentType(this);
  constructor(@inject(ComponentOptions) private readonly options: ComponentOptions<typeof Sgd.options>) {
    super();
  }

  apply(groups: ParamGroup[], grads: Map<string, tf.Tensor>, lr: number): void {
    const { momentum, weightDecay, nesterov } = this.options;
    for (const group of groups) {
      const groupLr = lr * group.lrMultiplier;
      for (const [name, variable] of group.variables) {
        const grad = grads.get(name);
        if (!grad) continue;
        if (this.applyFused(name, variable, grad, groupLr)) continue;
        tf.tidy(() => {
          let d = weightDecay ? grad.add(variable.mul(weightDecay)) : grad;
          if (momentum) {
            const key = `${name}/momentum`;
            // torch initialises the buffer with the first gradient (no dampening).
            const fresh = !this.slots.has(key);
            const buf = this.slot(key, variable);
            const next = fresh ? d : buf.mul(momentum).add(d);
            buf.assign(next as tf.Tensor);
            d = nesterov ? d.add(next.mul(momentum)) : next;
          }
          variable.assign(variable.sub(d.mul(groupLr)));
        });
      }
    }
    this.steps++;
  }

  /** The same update as one kernel where the backend has it (native); false elsewhere. */
  private applyFused(name: string, variable: tf.Variable, grad: tf.Tensor, lr: number): boolean {
    const { momentum, weightDecay, nesterov = false } = this.options;
    const key = `${name}/momentum`;
    const buffer = momentum && this.slots.has(key) ? this.slot(key, variable) : undefined;
    const next = fusedSgdUpdate(variable, grad, buffer, { lr, momentum, weightDecay, nesterov });
    if (!next) return false;
    variable.assign(next.param);
    next.param.dispose();
    if (next.buffer) {
      this.slot(key, variable).assign(next.buffer);
      next.buffer.dispose();
    }
    return true;
  }
}

import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { fusedSgdUpdate, tf } from '@ssseg/engine';
import { ComponentOptions } from '../tokens';
import { componentType } from '../plugin';
import { SlotOptimizer, type VariableUpdate } from './optimizer';

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

  protected fusedUpdate({ name, variable, grad, lr }: VariableUpdate): Array<[tf.Variable, tf.Tensor]> | undefined {
    const { momentum, weightDecay, nesterov = false } = this.options;
    const key = momentumSlot(name);
    const buffer = momentum && this.slots.has(key) ? this.slot(key, variable) : undefined;
    const next = fusedSgdUpdate(variable, grad, buffer, { lr, momentum, weightDecay, nesterov });
    if (!next) return undefined;
    return next.buffer ? [[variable, next.param], [this.slot(key, variable), next.buffer]] : [[variable, next.param]];
  }

  protected update({ name, variable, grad, lr }: VariableUpdate): void {
    const { momentum, weightDecay, nesterov } = this.options;
    let d = weightDecay ? grad.add(variable.mul(weightDecay)) : grad;
    if (momentum) {
      const key = momentumSlot(name);
      // torch initialises the buffer with the first gradient (no dampening).
      const fresh = !this.slots.has(key);
      const buf = this.slot(key, variable);
      const next = fresh ? d : buf.mul(momentum).add(d);
      buf.assign(next as tf.Tensor);
      d = nesterov ? d.add(next.mul(momentum)) : next;
    }
    variable.assign(variable.sub(d.mul(lr)));
  }
}

const momentumSlot = (name: string) => `${name}/momentum`;

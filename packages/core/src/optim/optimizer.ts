import { tf } from '@ssseg/engine';
import type { Optimizer, OptimizerState, ParamGroup } from '../tokens';

/** An optimizer whose state is one tensor slot per variable and purpose, and a step count. */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly type: string;
  protected readonly slots = new Map<string, tf.Variable>();
  protected steps = 0;

  abstract apply(groups: ParamGroup[], grads: Map<string, tf.Tensor>, lr: number): void;

  protected slot(name: string, like: tf.Tensor): tf.Variable {
    let v = this.slots.get(name);
    if (!v) {
      // tidy frees the zeros; the variable itself is not tracked by tidy
      v = tf.tidy(() => tf.variable(tf.zerosLike(like), false, undefined, like.dtype));
      this.slots.set(name, v);
    }
    return v;
  }

  state(): OptimizerState {
    const out: OptimizerState = new Map();
    for (const [name, v] of this.slots) out.set(name, v.clone());
    out.set('__steps__', tf.scalar(this.steps, 'int32'));
    return out;
  }

  loadState(state: OptimizerState): void {
    this.dispose();
    for (const [name, t] of state) {
      if (name === '__steps__') this.steps = t.dataSync()[0];
      else this.slots.set(name, tf.tidy(() => tf.variable(t.clone(), false)));
    }
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}

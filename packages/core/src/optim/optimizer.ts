import { tf } from '@ssseg/engine';
import type { Optimizer, OptimizerState, ParamGroup } from '../tokens';

/** One variable's share of a step. */
export interface VariableUpdate {
  /** The variable's name, which its slots are named after. */
  name: string;
  variable: tf.Variable;
  grad: tf.Tensor;
  /** The step's learning rate times the variable's group multiplier. */
  lr: number;
  /** 1 on the first step. */
  step: number;
}

/**
 * An optimizer whose state is one tensor slot per variable and purpose, and a step count. A
 * subclass is its update rule: as one native kernel where the backend has it (`fusedUpdate`), else
 * in tf ops with the same float32 arithmetic (`update`); this class walks the parameter groups,
 * skips variables without a gradient, counts steps and saves and restores the slots.
 */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly type: string;
  protected readonly slots = new Map<string, tf.Variable>();
  protected steps = 0;

  /**
   * The update as one native kernel: each variable or slot it changes paired with its new value
   * (this class assigns and frees them), or undefined where the backend has no such kernel.
   */
  protected abstract fusedUpdate(u: VariableUpdate): Array<[tf.Variable, tf.Tensor]> | undefined;

  /** The update in tf ops, assigning the variable and its slots; runs inside tf.tidy. */
  protected abstract update(u: VariableUpdate): void;

  apply(groups: ParamGroup[], grads: Map<string, tf.Tensor>, lr: number): void {
    const step = this.steps + 1;
    for (const group of groups) {
      const groupLr = lr * group.lrMultiplier;
      for (const [name, variable] of group.variables) {
        const grad = grads.get(name);
        if (!grad) continue;
        const u = { name, variable, grad, lr: groupLr, step };
        const fused = this.fusedUpdate(u);
        if (fused) {
          for (const [target, value] of fused) {
            target.assign(value);
            value.dispose();
          }
        } else {
          tf.tidy(() => this.update(u));
        }
      }
    }
    this.steps = step;
  }

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

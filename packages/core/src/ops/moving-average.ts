import { tf } from '@ssseg/engine';
import type { TrainedPart } from '../tokens';

type Weights = Pick<TrainedPart, 'getWeights' | 'setWeights'>;

/**
 * Moves `copy` towards `source` as an exponential moving average: every float tensor of its state
 * (batch-norm statistics included) becomes `decay * copy + (1 - decay) * source`; integer tensors
 * take the source's value. `what` names the copy in errors.
 */
export function followMovingAverage(copy: Weights, source: Pick<TrainedPart, 'getWeights'>, decay: number, what: string): void {
  const sourceWeights = source.getWeights();
  const current = [...copy.getWeights()];
  // tidy keeps tensors returned in arrays, not in Maps: build the array, then the Map
  const values = tf.tidy(() =>
    current.map(([name, t]) => {
      const s = sourceWeights.get(name);
      if (!s) throw new Error(`${what}: the source has no weight '${name}'`);
      return t.dtype === 'float32' ? t.mul(decay).add(s.mul(1 - decay)) : s.clone();
    }),
  );
  const next = new Map(current.map(([name], i) => [name, values[i]]));
  copy.setWeights(next);
  tf.dispose([...next.values()]);
}

import { tf } from '@ssseg/engine';
import { applyRegularizers, noGradient, type PseudoLabels, type Regularizer, type StepContext } from '@ssseg/core';
import type { CpsPredictions, NetworkPrediction } from './cps-predictions';

/** Where the second direction's statistics are logged: `second/<what the regularizer logs>`. */
export const SECOND_DIRECTION = 'second';

/** The teacher's argmax labels on every pixel: CPS keeps no threshold. */
function everyPixelLabels(teacherLogits: tf.Tensor4D): PseudoLabels {
  return noGradient(() => tf.tidy(() => {
    const probs = tf.softmax(teacherLogits) as tf.Tensor4D;
    return { probs, labels: probs.argMax(-1) as tf.Tensor3D, confidence: probs.max(-1) as tf.Tensor3D, mask: tf.onesLike(probs.max(-1)) as tf.Tensor3D };
  }));
}

/** One direction: `student`'s relations pulled towards `teacher`'s, on the unlabelled images. */
function direction(
  regularizers: readonly Regularizer[], p: CpsPredictions, student: NetworkPrediction, teacher: NetworkPrediction,
  inputSize: [number, number], context: StepContext, ownLoss: tf.Scalar,
) {
  const view = {
    studentLogits: student.studentLogits,
    teacherLogits: teacher.teacherLogits,
    pseudoLabels: everyPixelLabels(teacher.teacherLogits),
    ignoreMask: p.regularizerIgnore,
  };
  return applyRegularizers(regularizers, [view], teacher.weakLogits, inputSize, context, ownLoss);
}

/**
 * The run's regularizers in both directions of CPS, each network the other's teacher: the first
 * network as the student with the second as its teacher, then the reverse. A regularizer's term is
 * the sum of its two directions (each network pulled with the regularizer's full weight, as the
 * CPS term pulls each with its weight) under the regularizer's name; what it logs, it logs under
 * its own names for the first direction and under `second/` for the second. `ownLosses`: each
 * direction's CPS term as it enters the total (what a gradient ratio is measured against).
 */
export function crossRegularizers(
  regularizers: readonly Regularizer[], p: CpsPredictions, inputSize: [number, number], context: StepContext,
  ownLosses: [tf.Scalar, tf.Scalar],
): { total: tf.Scalar; terms: Record<string, tf.Scalar> } {
  if (!regularizers.length) return { total: tf.scalar(0), terms: {} };
  const reverse: StepContext = {
    ...context,
    rng: context.rng.fork(SECOND_DIRECTION),
    log: (name, value) => context.log(`${SECOND_DIRECTION}/${name}`, value),
  };
  const a = direction(regularizers, p, p.first, p.second, inputSize, context, ownLosses[0]);
  const b = direction(regularizers, p, p.second, p.first, inputSize, reverse, ownLosses[1]);
  const terms = Object.fromEntries(Object.keys(a.terms).map((name) => [name, a.terms[name].add(b.terms[name]) as tf.Scalar]));
  return { total: a.total.add(b.total), terms };
}

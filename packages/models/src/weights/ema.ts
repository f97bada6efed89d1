import { tf } from '@ssseg/engine';
import type { SegmentationModel } from '@ssseg/core';

export interface EmaOptions {
  /**
   * Batch-norm running statistics: 'ema' averages them like the parameters (what this repo's
   * EMA teacher does, and timm's ModelEmaV2); 'copy' takes the student's (the teacher then
   * normalises with the student's current statistics).
   */
  buffers?: 'ema' | 'copy';
}

/**
 * Mean Teacher's update, in place on the teacher's variables:
 * teacher = decay * teacher + (1 - decay) * student for every trainable parameter; batch-norm
 * statistics per `options.buffers` (default 'ema'). Both models must have the same layout.
 */
export function updateEma(teacher: SegmentationModel, student: SegmentationModel, decay: number, options: EmaOptions = {}): void {
  if (!(decay >= 0 && decay <= 1)) throw new Error(`updateEma: decay must be in [0, 1], got ${decay}`);
  const trainable = teacher.trainableVariables();
  const studentWeights = student.getWeights();
  const teacherWeights = teacher.getWeights();
  for (const [name, t] of teacherWeights) {
    const s = studentWeights.get(name);
    if (!s) throw new Error(`updateEma: the student has no weight '${name}'`);
    if (s.shape.join(',') !== t.shape.join(',')) {
      throw new Error(`updateEma: layer '${name}' has shape [${t.shape.join(', ')}] in the teacher, [${s.shape.join(', ')}] in the student`);
    }
  }
  tf.tidy(() => {
    for (const [name, t] of teacherWeights) {
      const s = studentWeights.get(name)!;
      const average = trainable.has(name) || (options.buffers ?? 'ema') === 'ema';
      (t as tf.Variable).assign(average ? t.mul(decay).add(s.mul(1 - decay)) : s.add(0));
    }
  });
}

import { inject, injectable } from 'inversify';
import type { tf } from '@ssseg/engine';
import { componentType } from '../plugin';
import { crossEntropy } from '../ops/cross-entropy';
import { SegmentationModel, type ForwardResult, type LabelledBatch, type Method, type StepContext, type StepLosses, type TrainBatch } from '../tokens';

/**
 * What every method shares: the student, the model evaluated (the student unless a method says
 * otherwise) and the supervised term, cross-entropy of the student on the labelled batch.
 * The config `type` is the subclass's static `type`.
 */
@injectable()
export abstract class MethodBase implements Method {
  abstract readonly usesUnlabelled: boolean;
  abstract readonly strongViews: number;

  constructor(@inject(SegmentationModel) protected readonly student: SegmentationModel) {}

  get type(): string {
    return componentType(this);
  }

  evalModel(): SegmentationModel {
    return this.student;
  }

  abstract losses(batch: TrainBatch, context: StepContext): StepLosses;

  afterStep(_context: StepContext): void {}

  protected supervisedTerm(batch: LabelledBatch): tf.Scalar {
    return this.supervisedForward(batch).sup;
  }

  /** The supervised term with the student's forward it came from (its features, for a method that reads them). */
  protected supervisedForward({ images, masks }: LabelledBatch): { sup: tf.Scalar; student: ForwardResult } {
    const student = this.student.forward(images, { training: true });
    return { sup: crossEntropy(student.logits, masks), student };
  }
}

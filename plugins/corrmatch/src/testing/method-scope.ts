// For the plugin's tests: the services a run gives a method, with the student as its own teacher
// and argmax pseudo-labels (the defaults' behaviour, written here as plugins may not import other
// plugins).
import { tf } from '@ssseg/engine';
import {
  Method, PluginHost, PseudoLabeler, RunRegularizers, RunRng, Rng, SegmentationModel, TeacherStrategy, noGradient,
  type ForwardOptions, type ForwardResult, type PseudoLabels, type Regularizer,
} from '@ssseg/core';
import plugin from '../index';

class StudentAsTeacher implements TeacherStrategy {
  readonly type = 'shared';
  private student?: SegmentationModel;
  attach(student: SegmentationModel): void {
    this.student = student;
  }
  predict(x: tf.Tensor4D, options: Partial<ForwardOptions> = {}): ForwardResult {
    return noGradient(() => this.model().forward(x, { training: false, ...options }));
  }
  afterStep(): void {}
  model(): SegmentationModel {
    return this.student!;
  }
  dispose(): void {}
}

class ArgmaxLabels implements PseudoLabeler {
  readonly type = 'threshold';
  label(teacherLogits: tf.Tensor4D): PseudoLabels {
    return tf.tidy(() => {
      const probs = tf.softmax(teacherLogits) as tf.Tensor4D;
      const confidence = probs.max(-1) as tf.Tensor3D;
      return { probs, confidence, labels: probs.argMax(-1) as tf.Tensor3D, mask: confidence.greaterEqual(0.95).toFloat() as tf.Tensor3D };
    });
  }
}

/** Builds `config` (a `method:` dict) as a run would, for `student`, with the given regularizers. */
export function buildMethod(student: SegmentationModel, config: Record<string, unknown>, regularizers: Regularizer[] = []): Method {
  const host = new PluginHost();
  host.load(plugin);
  const scope = host.createScope();
  scope.bind(SegmentationModel).toConstantValue(student);
  scope.bind(TeacherStrategy).toConstantValue(new StudentAsTeacher());
  scope.bind(PseudoLabeler).toConstantValue(new ArgmaxLabels());
  scope.bind(RunRegularizers).toConstantValue(regularizers);
  scope.bind(RunRng).toConstantValue(Rng.fromSeed('run'));
  return host.build(Method, config, 'method', scope);
}

import { tf } from '@ssseg/engine';
import { Layer } from './module';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

export class ReLU extends Layer {
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.relu(x);
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    return graph.node('Relu', [x.name], x.shape, {}, name);
  }
}

/** min(max(x, 0), 6), as MobileNetV2 uses. */
export class ReLU6 extends Layer {
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.relu6(x);
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const lo = graph.floatInitializer(`${name}.min`, [0], []);
    const hi = graph.floatInitializer(`${name}.max`, [6], []);
    return graph.node('Clip', [x.name, lo.name, hi.name], x.shape, {}, name);
  }
}

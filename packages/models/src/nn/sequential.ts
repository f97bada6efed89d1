import { tf } from '@ssseg/engine';
import { Layer, type ForwardContext } from './module';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

/** Layers applied in order, named by position ('0', '1', ...) as torch.nn.Sequential. */
export class Sequential extends Layer {
  readonly layers: Layer[];

  constructor(...layers: Layer[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor4D {
    return tf.tidy(() => this.layers.reduce((h, layer) => layer.forward(h, ctx), x));
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    return this.layers.reduce((h, layer, i) => layer.toOnnx(graph, h, `${name}.${i}`), x);
  }
}

import { tf } from '@ssseg/engine';
import { Layer } from './module';
import type { OnnxGraph, OnnxValue } from '../onnx/graph';

/**
 * Max pooling. `padding: number` pads every side (torch); `'ceil'` pads only the bottom/right so
 * the output is ceil(size / stride) (tf's 'same'), which lets a U-Net take any input size.
 */
export class MaxPool2d extends Layer {
  constructor(readonly kernelSize: number, readonly stride: number, readonly padding: number | 'ceil' = 0) {
    super();
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.maxPool(x, this.kernelSize, this.stride, this.padding === 'ceil' ? 'same' : this.padding);
  }

  toOnnx(graph: OnnxGraph, x: OnnxValue, name: string): OnnxValue {
    const [n, c, h, w] = x.shape;
    const k = this.kernelSize, s = this.stride;
    let pads: number[];
    let outH: number, outW: number;
    if (this.padding === 'ceil') {
      outH = Math.ceil(h / s);
      outW = Math.ceil(w / s);
      const padH = Math.max((outH - 1) * s + k - h, 0), padW = Math.max((outW - 1) * s + k - w, 0);
      pads = [padH >> 1, padW >> 1, padH - (padH >> 1), padW - (padW >> 1)];
    } else {
      const p = this.padding;
      pads = [p, p, p, p];
      outH = Math.floor((h + 2 * p - k) / s) + 1;
      outW = Math.floor((w + 2 * p - k) / s) + 1;
    }
    return graph.node('MaxPool', [x.name], [n, c, outH, outW], { kernel_shape: [k, k], strides: [s, s], pads }, name);
  }
}

import { tf } from '../tf';

/**
 * Attributes of Conv2DBackpropFilter. tfjs's own attributes carry no dilations; ours accept them
 * so the Conv2D gradient can differentiate atrous convolutions (absent means 1).
 */
export interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: [number, number] | number;
}

export function conv2dBackpropFilterInfo(kernelName: string, xShape: number[], attrs: Conv2DBackpropFilterAttrs): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error(`${kernelName}: dataFormat NCHW is not supported; use NHWC`);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

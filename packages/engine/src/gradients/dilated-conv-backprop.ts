import { tf } from '../tf';
import { padOrCrop } from './pad-or-crop';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

// Gradients of a stride-1 atrous convolution (tfjs allows dilations > 1 only with stride 1),
// written as ordinary forward convolutions so that they run on any backend.

/**
 * dx is the correlation of dy, padded so every input pixel sees all its taps, with the filter
 * flipped in space and its channel axes swapped, at the same dilation.
 */
export function dilatedConv2dBackpropInput(dy: tf.Tensor4D, filter: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const spanH = (info.filterHeight - 1) * info.dilationHeight;
    const spanW = (info.filterWidth - 1) * info.dilationWidth;
    const top = spanH - info.padInfo.top;
    const left = spanW - info.padInfo.left;
    const dyPadded = padOrCrop(
      dy,
      top,
      info.inHeight + spanH - info.outHeight - top,
      left,
      info.inWidth + spanW - info.outWidth - left,
    );
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    return tf.conv2d(dyPadded, flipped as tf.Tensor4D, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
  });
}

/**
 * dW as a convolution over the batch axis: x seen as [CI, H, W, B] convolved with dy seen as an
 * [OH, OW, B, CO] filter at stride = dilation gives [CI, KH, KW, CO]. Used on backends whose
 * Conv2DBackpropFilter kernel takes no dilations.
 */
export function dilatedConv2dBackpropFilter(x: tf.Tensor4D, dy: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
    const spanH = (info.filterHeight - 1) * info.dilationHeight;
    const spanW = (info.filterWidth - 1) * info.dilationWidth;
    const xPadded = padOrCrop(
      xT,
      info.padInfo.top,
      spanH + info.outHeight - info.inHeight - info.padInfo.top,
      info.padInfo.left,
      spanW + info.outWidth - info.inWidth - info.padInfo.left,
    );
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const dW = tf.conv2d(xPadded, dyAsFilter, [info.dilationHeight, info.dilationWidth], 'valid');
    return tf.transpose(dW, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

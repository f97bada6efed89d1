import type { tf } from '../tf';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

// Depthwise convolution, NHWC, filter [KH, KW, CI, M] with output channel co = ci * M + m:
//   y[b, oh, ow, co] = sum over (kh, kw) of x[b, ih, iw, ci] * w[kh, kw, ci, m],
//   ih = oh * strideHeight - padTop + kh * dilationHeight (likewise iw).
// Both backprops walk every (output position, tap) pair once; the filter viewed as
// [KH, KW, CI * M] makes its last axis line up with dy's channels.

/** dW[kh, kw, ci, m] (pre-zeroed) from x and dy. */
export function depthwiseBackpropFilterLoops(x: Float32Array, dy: Float32Array, info: Conv2DInfo, dW: Float32Array): void {
  visitTaps(info, (xOff, dyOff, wOff) => {
    const { outChannels, inChannels } = info;
    const mult = outChannels / inChannels;
    for (let ci = 0, co = 0; ci < inChannels; ci++) {
      const xv = x[xOff + ci];
      for (let m = 0; m < mult; m++, co++) dW[wOff + co] += xv * dy[dyOff + co];
    }
  });
}

/** dx[b, ih, iw, ci] (pre-zeroed) from dy and the filter. */
export function depthwiseBackpropInputLoops(dy: Float32Array, filter: Float32Array, info: Conv2DInfo, dx: Float32Array): void {
  visitTaps(info, (xOff, dyOff, wOff) => {
    const { outChannels, inChannels } = info;
    const mult = outChannels / inChannels;
    for (let ci = 0, co = 0; ci < inChannels; ci++) {
      let acc = 0;
      for (let m = 0; m < mult; m++, co++) acc += dy[dyOff + co] * filter[wOff + co];
      dx[xOff + ci] += acc;
    }
  });
}

/** Calls `tap` with the flat offsets of x[b, ih, iw, 0], dy[b, oh, ow, 0] and w[kh, kw, 0, 0] for every in-bounds tap. */
function visitTaps(info: Conv2DInfo, tap: (xOff: number, dyOff: number, wOff: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyOff = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - padTop + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth - padLeft + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            tap(((b * inHeight + ih) * inWidth + iw) * inChannels, dyOff, (kh * filterWidth + kw) * outChannels);
          }
        }
      }
    }
  }
}

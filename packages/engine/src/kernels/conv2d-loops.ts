import type { tf } from '../tf';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

// Direct NHWC convolution loops for the cpu backend, dilation-aware. Each walks the output
// positions and their in-bounds taps; the innermost loop runs along contiguous channels.
// Outputs are pre-zeroed. ih = oh * strideHeight - padTop + kh * dilationHeight (likewise iw).

/**
 * dW[kh, kw, ci, co] = sum over (b, oh, ow) of x[b, ih, iw, ci] * dy[b, oh, ow, co], with
 * ih = oh * strideHeight - padTop + kh * dilationHeight (likewise iw); NHWC, dW pre-zeroed.
 * Loops over the output positions so the innermost loop runs along contiguous channels of dy
 * and dW; zeros in x (after a ReLU, about half) are skipped.
 */
export function conv2dBackpropFilterLoops(x: Float32Array, dy: Float32Array, info: Conv2DInfo, dW: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ihBase = oh * strideHeight - padTop;
      for (let ow = 0; ow < outWidth; ow++) {
        const iwBase = ow * strideWidth - padLeft;
        const dyOff = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = ihBase + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = iwBase + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const xOff = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wOff = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xOff + ci];
              if (xv === 0) continue;
              const wRow = wOff + ci * outChannels;
              for (let co = 0; co < outChannels; co++) dW[wRow + co] += xv * dy[dyOff + co];
            }
          }
        }
      }
    }
  }
}

/** y[b, oh, ow, co] = sum over taps and ci of x[b, ih, iw, ci] * w[kh, kw, ci, co]. */
export function conv2dLoops(x: Float32Array, w: Float32Array, info: Conv2DInfo, y: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const yOff = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - padTop + kh * dilationHeight;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth - padLeft + kw * dilationWidth;
            if (iw < 0 || iw >= inWidth) continue;
            const xOff = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wOff = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = x[xOff + ci];
              if (xv === 0) continue;
              const wRow = wOff + ci * outChannels;
              for (let co = 0; co < outChannels; co++) y[yOff + co] += xv * w[wRow + co];
            }
          }
        }
      }
    }
  }
}

/** dx[b, ih, iw, ci] = sum over the outputs it feeds of dy[b, oh, ow, co] * w[kh, kw, ci, co]. */
export function conv2dBackpropInputLoops(dy: Float32Array, w: Float32Array, info: Conv2DInfo, dx: Float32Array): void {
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
            const xOff = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wOff = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const wRow = wOff + ci * outChannels;
              let acc = 0;
              for (let co = 0; co < outChannels; co++) acc += dy[dyOff + co] * w[wRow + co];
              dx[xOff + ci] += acc;
            }
          }
        }
      }
    }
  }
}

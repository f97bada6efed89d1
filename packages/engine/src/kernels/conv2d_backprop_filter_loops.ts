import type { tf } from '../tf';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

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

/**
 * The transposed patch matrix: colsT[(kh, kw, ci), (b, oh, ow)] = x[b, ih, iw, ci] (0 in the
 * padding), so that dW = colsT @ dy viewed as [B * OH * OW, CO].
 */
export function im2colTransposed(x: Float32Array, info: Conv2DInfo, colsT: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const m = batchSize * outHeight * outWidth;
  for (let kh = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++) {
        let p = ((kh * filterWidth + kw) * inChannels + ci) * m;
        for (let b = 0; b < batchSize; b++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * strideHeight - padTop + kh * dilationHeight;
            if (ih < 0 || ih >= inHeight) {
              colsT.fill(0, p, p + outWidth);
              p += outWidth;
              continue;
            }
            const rowOff = (b * inHeight + ih) * inWidth;
            for (let ow = 0; ow < outWidth; ow++, p++) {
              const iw = ow * strideWidth - padLeft + kw * dilationWidth;
              colsT[p] = iw < 0 || iw >= inWidth ? 0 : x[(rowOff + iw) * inChannels + ci];
            }
          }
        }
      }
    }
  }
}

import { tf } from '../tf';

// Test reference: convolution by its definition in float64, and gradients by central finite
// differences of it. The loss sum(y * r) is linear in x and in w, so the differences are exact.

export interface ConvCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: number;
  dilations: number;
  pad: 'same' | 'valid';
  depthwise: boolean;
}

export function convInfo(c: ConvCase): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, c.dilations, c.pad, undefined, c.depthwise);
}

export function naiveConv(x: ArrayLike<number>, w: ArrayLike<number>, c: ConvCase): Float64Array {
  const info = convInfo(c);
  const [, , , inC] = c.xShape;
  const [kH, kW, , wC] = c.filterShape;
  const y = new Float64Array(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
  for (let b = 0; b < info.batchSize; b++)
    for (let oh = 0; oh < info.outHeight; oh++)
      for (let ow = 0; ow < info.outWidth; ow++)
        for (let co = 0; co < info.outChannels; co++) {
          let s = 0;
          for (let kh = 0; kh < kH; kh++)
            for (let kw = 0; kw < kW; kw++) {
              const ih = oh * info.strideHeight - info.padInfo.top + kh * info.dilationHeight;
              const iw = ow * info.strideWidth - info.padInfo.left + kw * info.dilationWidth;
              if (ih < 0 || iw < 0 || ih >= info.inHeight || iw >= info.inWidth) continue;
              const xAt = (ci: number) => x[((b * info.inHeight + ih) * info.inWidth + iw) * inC + ci];
              if (c.depthwise) {
                const ci = Math.floor(co / wC), m = co % wC;
                s += xAt(ci) * w[((kh * kW + kw) * inC + ci) * wC + m];
              } else {
                for (let ci = 0; ci < inC; ci++) s += xAt(ci) * w[((kh * kW + kw) * inC + ci) * wC + co];
              }
            }
          y[((b * info.outHeight + oh) * info.outWidth + ow) * info.outChannels + co] = s;
        }
  return y;
}

/** d/dv of sum(f(v) * r) by central differences, for every element of v. */
export function finiteDifferenceGradient(v: ArrayLike<number>, r: ArrayLike<number>, f: (v: Float64Array) => Float64Array): Float64Array {
  const vv = Float64Array.from(v);
  const g = new Float64Array(vv.length);
  const loss = () => f(vv).reduce((acc, y, i) => acc + y * r[i], 0);
  for (let i = 0; i < vv.length; i++) {
    const v0 = vv[i];
    vv[i] = v0 + 1;
    const up = loss();
    vv[i] = v0 - 1;
    const down = loss();
    vv[i] = v0;
    g[i] = (up - down) / 2;
  }
  return g;
}

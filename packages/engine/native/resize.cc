// Bilinear resize and its gradient with TensorFlow.js cpu-kernel semantics (alignCorners,
// halfPixelCenters in the forward pass; the gradient, like tfjs's, ignores halfPixelCenters).
#include <algorithm>
#include <cmath>
#include <omp.h>
#include <vector>
#include "common.h"

namespace {

double ratio(int64_t in, int64_t out, bool alignCorners) {
  return alignCorners && out > 1 ? double(in - 1) / double(out - 1) : double(in) / double(out);
}

// resizeBilinear(x, out, [N, H, W, C, OH, OW, alignCorners, halfPixelCenters])
napi_value resizeBilinearBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 3);
  size_t xLen, outLen;
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  float* out = ssseg::floatArray(env, argv[1], &outLen);
  const auto p = ssseg::intArray(env, argv[2]);
  if (p.size() != 8) throw std::invalid_argument("expected 8 resize attributes");
  const int64_t n = p[0], h = p[1], w = p[2], c = p[3], oh = p[4], ow = p[5];
  const bool halfPixel = p[7] != 0;
  ssseg::checkLength("images", xLen, n * h * w * c);
  ssseg::checkLength("output", outLen, n * oh * ow * c);
  const double rowRatio = ratio(h, oh, p[6] != 0), colRatio = ratio(w, ow, p[6] != 0);
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t r = 0; r < oh; r++) {
      const double fr = halfPixel ? rowRatio * (r + 0.5) - 0.5 : rowRatio * r;
      const int64_t r0 = std::max<int64_t>(0, int64_t(std::floor(fr)));
      const int64_t r1 = std::min<int64_t>(h - 1, int64_t(std::ceil(fr)));
      const double rowFrac = fr - r0;
      const float* top = x + (b * h + r0) * w * c;
      const float* bottom = x + (b * h + r1) * w * c;
      float* o = out + ((b * oh + r) * ow) * c;
      for (int64_t col = 0; col < ow; col++) {
        const double fc = halfPixel ? colRatio * (col + 0.5) - 0.5 : colRatio * col;
        const int64_t c0 = std::max<int64_t>(0, int64_t(std::floor(fc)));
        const int64_t c1 = std::min<int64_t>(w - 1, int64_t(std::ceil(fc)));
        const double colFrac = fc - c0;
        for (int64_t d = 0; d < c; d++) {
          const double tl = top[c0 * c + d], tr = top[c1 * c + d], bl = bottom[c0 * c + d], br = bottom[c1 * c + d];
          const double t = tl + (tr - tl) * colFrac, bo = bl + (br - bl) * colFrac;
          o[col * c + d] = float(t + (bo - t) * rowFrac);
        }
      }
    }
  }
  return ssseg::undefinedValue(env);
}

// resizeBilinearGrad(dy, dx, [N, H, W, C, OH, OW, alignCorners]): dx (overwritten) has the images' shape.
napi_value resizeBilinearGradBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 3);
  size_t dyLen, dxLen;
  const float* dy = ssseg::floatArray(env, argv[0], &dyLen);
  float* dx = ssseg::floatArray(env, argv[1], &dxLen);
  const auto p = ssseg::intArray(env, argv[2]);
  if (p.size() != 7) throw std::invalid_argument("expected 7 resize-gradient attributes");
  const int64_t n = p[0], h = p[1], w = p[2], c = p[3], oh = p[4], ow = p[5];
  ssseg::checkLength("dy", dyLen, n * oh * ow * c);
  ssseg::checkLength("dx", dxLen, n * h * w * c);
  const double rowScale = ratio(h, oh, p[6] != 0), colScale = ratio(w, ow, p[6] != 0);
  std::fill(dx, dx + n * h * w * c, 0.0f);
  // Source columns and weights, the same for every row.
  std::vector<int64_t> col0(ow), col1(ow);
  std::vector<double> colFrac(ow);
  for (int64_t col = 0; col < ow; col++) {
    const double fc = col * colScale;
    col0[col] = int64_t(std::floor(fc));
    col1[col] = std::min<int64_t>(int64_t(std::ceil(fc)), w - 1);
    colFrac[col] = fc - col0[col];
  }
  // Threads split the batch, and each image into bands of channels when the batch alone is too
  // small to share out: the scattered additions of one band never collide with another's.
  const int64_t threads = omp_get_max_threads();
  const int64_t bands = std::min<int64_t>(c, (2 * threads + n - 1) / n);
#pragma omp parallel for collapse(2) schedule(static) if (threads > 1)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t band = 0; band < bands; band++) {
      const int64_t d0 = band * c / bands, d1 = (band + 1) * c / bands;
      for (int64_t r = 0; r < oh; r++) {
        const double fr = r * rowScale;
        const int64_t r0 = int64_t(std::floor(fr)), r1 = std::min<int64_t>(int64_t(std::ceil(fr)), h - 1);
        const double rl = fr - r0, irl = 1.0 - rl;
        float* top = dx + (b * h + r0) * w * c;
        float* bottom = dx + (b * h + r1) * w * c;
        const float* g = dy + (b * oh + r) * ow * c;
        for (int64_t col = 0; col < ow; col++) {
          const int64_t c0 = col0[col], c1 = col1[col];
          const double cl = colFrac[col], icl = 1.0 - cl;
          const float tl = float(irl * icl), tr = float(irl * cl), bl = float(rl * icl), br = float(rl * cl);
          for (int64_t d = d0; d < d1; d++) {
            const float v = g[col * c + d];
            top[c0 * c + d] += v * tl;
            top[c1 * c + d] += v * tr;
            bottom[c0 * c + d] += v * bl;
            bottom[c1 * c + d] += v * br;
          }
        }
      }
    }
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(resizeBilinear)
SSSEG_EXPORT(resizeBilinearGrad)

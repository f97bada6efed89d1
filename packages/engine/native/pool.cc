// Max pooling and its gradient with TensorFlow.js cpu semantics: the forward pass ignores NaN
// inputs (-inf for a window of only NaN); the gradient sends each output's dy to the first strictly
// largest input of its window (none when the window holds only NaN).
#include <algorithm>
#include <limits>
#include "common.h"

namespace {

// maxPool(x, out, [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padLeft]); out is overwritten.
napi_value maxPoolBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 3);
  size_t xLen, outLen;
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  float* out = ssseg::floatArray(env, argv[1], &outLen);
  const auto p = ssseg::intArray(env, argv[2]);
  if (p.size() != 12) throw std::invalid_argument("expected 12 pooling attributes");
  const int64_t n = p[0], h = p[1], w = p[2], c = p[3], oh = p[4], ow = p[5], fh = p[6], fw = p[7], sh = p[8], sw = p[9], pt = p[10], pl = p[11];
  ssseg::checkLength("input", xLen, n * h * w * c);
  ssseg::checkLength("output", outLen, n * oh * ow * c);
  // Channels innermost: one output pixel's channels are a vector, maxed over its window's pixels.
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t r = 0; r < oh; r++) {
      const int64_t r0 = std::max<int64_t>(0, r * sh - pt), r1 = std::min<int64_t>(h, r * sh - pt + fh);
      for (int64_t col = 0; col < ow; col++) {
        const int64_t c0 = std::max<int64_t>(0, col * sw - pl), c1 = std::min<int64_t>(w, col * sw - pl + fw);
        float* o = out + ((b * oh + r) * ow + col) * c;
        std::fill(o, o + c, -std::numeric_limits<float>::infinity());
        for (int64_t i = r0; i < r1; i++)
          for (int64_t j = c0; j < c1; j++) {
            const float* px = x + ((b * h + i) * w + j) * c;
            for (int64_t d = 0; d < c; d++) o[d] = px[d] > o[d] ? px[d] : o[d];
          }
      }
    }
  }
  return ssseg::undefinedValue(env);
}

// maxPoolGrad(dy, x, dx, [N, H, W, C, OH, OW, FH, FW, SH, SW, padTop, padLeft]); dx is overwritten.
napi_value maxPoolGradBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 4);
  size_t dyLen, xLen, dxLen;
  const float* dy = ssseg::floatArray(env, argv[0], &dyLen);
  const float* x = ssseg::floatArray(env, argv[1], &xLen);
  float* dx = ssseg::floatArray(env, argv[2], &dxLen);
  const auto p = ssseg::intArray(env, argv[3]);
  if (p.size() != 12) throw std::invalid_argument("expected 12 pooling attributes");
  const int64_t n = p[0], h = p[1], w = p[2], c = p[3], oh = p[4], ow = p[5], fh = p[6], fw = p[7], sh = p[8], sw = p[9], pt = p[10], pl = p[11];
  ssseg::checkLength("dy", dyLen, n * oh * ow * c);
  ssseg::checkLength("input", xLen, n * h * w * c);
  ssseg::checkLength("dx", dxLen, n * h * w * c);
  std::fill(dx, dx + n * h * w * c, 0.0f);
  // Windows overlap across outputs, so threads split by image and channel, never by position.
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t b = 0; b < n; b++) {
    for (int64_t d = 0; d < c; d++) {
      const float* xb = x + b * h * w * c + d;
      float* dxb = dx + b * h * w * c + d;
      for (int64_t r = 0; r < oh; r++) {
        const int64_t r0 = std::max<int64_t>(0, r * sh - pt), r1 = std::min<int64_t>(h, r * sh - pt + fh);
        for (int64_t col = 0; col < ow; col++) {
          const int64_t c0 = std::max<int64_t>(0, col * sw - pl), c1 = std::min<int64_t>(w, col * sw - pl + fw);
          float best = -std::numeric_limits<float>::infinity();
          int64_t at = -1;
          for (int64_t i = r0; i < r1; i++)
            for (int64_t j = c0; j < c1; j++) {
              const float v = xb[(i * w + j) * c];
              if (v > best) best = v, at = (i * w + j) * c;
            }
          if (at >= 0) dxb[at] += dy[((b * oh + r) * ow + col) * c + d];
        }
      }
    }
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(maxPool)
SSSEG_EXPORT(maxPoolGrad)

// FusedBatchNorm's forward pass (inference form: given mean and variance) with TensorFlow.js cpu
// semantics: out = offset + (x - mean) * scale / sqrt(variance + epsilon), in double precision.
#include <cmath>
#include <vector>
#include "common.h"

namespace {

// batchNorm(x, mean, variance, offset, scale, out, epsilon): each parameter holds one value or one
// per channel (the last axis, `channels` long).
napi_value batchNormBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 8);
  size_t xLen, outLen, lens[4];
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  const float* params[4];
  for (int k = 0; k < 4; k++) params[k] = ssseg::floatArray(env, argv[1 + k], &lens[k]);
  float* out = ssseg::floatArray(env, argv[5], &outLen);
  double epsilon = 0;
  napi_get_value_double(env, argv[6], &epsilon);
  const int64_t channels = ssseg::intValue(env, argv[7]);
  if (channels < 1 || xLen % channels) throw std::invalid_argument("the channel count must divide the input");
  for (size_t len : lens)
    if (len != 1 && int64_t(len) != channels) throw std::invalid_argument("each parameter needs 1 or one value per channel");
  ssseg::checkLength("output", outLen, int64_t(xLen));
  // Per channel: out = offset + (x - mean) * factor.
  std::vector<double> mean(channels), offset(channels), factor(channels);
  for (int64_t c = 0; c < channels; c++) {
    const auto at = [&](int k) { return double(params[k][lens[k] == 1 ? 0 : c]); };
    mean[c] = at(0);
    offset[c] = at(2);
    factor[c] = at(3) / std::sqrt(at(1) + epsilon);
  }
  const int64_t rows = int64_t(xLen) / channels;
#pragma omp parallel for schedule(static) if (int64_t(xLen) >= (1 << 15))
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * channels;
    float* o = out + r * channels;
    for (int64_t c = 0; c < channels; c++) o[c] = float(offset[c] + (double(xr[c]) - mean[c]) * factor[c]);
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(batchNorm)

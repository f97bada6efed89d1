// Batch normalisation in training, fused: the batch's statistics and the normalised output in one
// call, and the whole backward pass (input, scale and offset gradients) in another. tfjs builds the
// same from moments + FusedBatchNorm and their gradients: ~25 element-wise kernels and a Tile per
// layer, each a pass over the activation. Statistics accumulate in double; channels are the last axis.
#include <cmath>
#include <vector>
#include "channel_sums.h"
#include "common.h"

namespace {

struct Layout {
  int64_t rows, channels;
};

Layout layoutOf(size_t length, int64_t channels) {
  if (channels < 1 || length % size_t(channels)) throw std::invalid_argument("the channel count must divide the input");
  return {int64_t(length) / channels, channels};
}

// batchNormTrain(x, scale, offset, y, mean, variance, epsilon, channels): mean and biased variance
// over all rows (two passes, as tf.moments), y = offset + (x - mean) * scale / sqrt(variance + epsilon).
napi_value batchNormTrainBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 8);
  size_t xLen, scaleLen, offsetLen, yLen, meanLen, varLen;
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  const float* scale = ssseg::floatArray(env, argv[1], &scaleLen);
  const float* offset = ssseg::floatArray(env, argv[2], &offsetLen);
  float* y = ssseg::floatArray(env, argv[3], &yLen);
  float* meanOut = ssseg::floatArray(env, argv[4], &meanLen);
  float* varOut = ssseg::floatArray(env, argv[5], &varLen);
  double epsilon = 0;
  napi_get_value_double(env, argv[6], &epsilon);
  const Layout l = layoutOf(xLen, ssseg::intValue(env, argv[7]));
  const int64_t C = l.channels;
  if (l.rows < 1) throw std::invalid_argument("batch norm needs at least one row");
  for (auto [what, len] : {std::pair{"scale", scaleLen}, {"offset", offsetLen}, {"mean", meanLen}, {"variance", varLen}}) ssseg::checkLength(what, len, C);
  ssseg::checkLength("output", yLen, int64_t(xLen));

  std::vector<double> sums[1];
  ssseg::channelSums<1>(l.rows, C, sums, [&](int64_t r, int64_t c, double* v) { v[0] = x[r * C + c]; });
  std::vector<double> mean(C);
  for (int64_t c = 0; c < C; c++) mean[c] = float(sums[0][c] / double(l.rows));  // the float32 mean tfjs keeps
  ssseg::channelSums<1>(l.rows, C, sums, [&](int64_t r, int64_t c, double* v) {
    const double d = x[r * C + c] - mean[c];
    v[0] = d * d;
  });
  std::vector<double> factor(C);
  for (int64_t c = 0; c < C; c++) {
    const float variance = float(sums[0][c] / double(l.rows));
    meanOut[c] = float(mean[c]);
    varOut[c] = variance;
    factor[c] = double(scale[c]) / std::sqrt(double(variance) + epsilon);
  }
  ssseg::forRows(l.rows, C, [&](int64_t r) {
    const float* xr = x + r * C;
    float* yr = y + r * C;
    for (int64_t c = 0; c < C; c++) yr[c] = float(offset[c] + (xr[c] - mean[c]) * factor[c]);
  });
  return ssseg::undefinedValue(env);
}

// batchNormTrainGrad(dy, x, scale, mean, variance, dMean, dVariance, dx, dScale, dOffset, epsilon, channels):
// with x̂ = (x - mean) rstd, rstd = 1 / sqrt(variance + epsilon), N rows:
//   dOffset = Σ dy, dScale = Σ dy x̂,
//   dx = scale rstd (dy - dOffset / N - x̂ dScale / N) + dMean / N + dVariance 2 (x - mean) / N,
// the last two terms for gradients that reach the returned statistics themselves.
napi_value batchNormTrainGradBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 12);
  size_t lens[10];
  const float* dy = ssseg::floatArray(env, argv[0], &lens[0]);
  const float* x = ssseg::floatArray(env, argv[1], &lens[1]);
  const float* scale = ssseg::floatArray(env, argv[2], &lens[2]);
  const float* meanIn = ssseg::floatArray(env, argv[3], &lens[3]);
  const float* varIn = ssseg::floatArray(env, argv[4], &lens[4]);
  const float* dMean = ssseg::floatArray(env, argv[5], &lens[5]);
  const float* dVar = ssseg::floatArray(env, argv[6], &lens[6]);
  float* dx = ssseg::floatArray(env, argv[7], &lens[7]);
  float* dScale = ssseg::floatArray(env, argv[8], &lens[8]);
  float* dOffset = ssseg::floatArray(env, argv[9], &lens[9]);
  double epsilon = 0;
  napi_get_value_double(env, argv[10], &epsilon);
  const Layout l = layoutOf(lens[1], ssseg::intValue(env, argv[11]));
  const int64_t C = l.channels, n = int64_t(lens[1]);
  if (l.rows < 1) throw std::invalid_argument("batch norm needs at least one row");
  const char* names[10] = {"dy", "x", "scale", "mean", "variance", "dMean", "dVariance", "dx", "dScale", "dOffset"};
  for (int k = 0; k < 10; k++) ssseg::checkLength(names[k], lens[k], k < 2 || k == 7 ? n : C);

  std::vector<double> mean(C), rstd(C);
  for (int64_t c = 0; c < C; c++) {
    mean[c] = meanIn[c];
    rstd[c] = 1.0 / std::sqrt(double(varIn[c]) + epsilon);
  }
  std::vector<double> sums[2];  // Σ dy, Σ dy (x - mean)
  ssseg::channelSums<2>(l.rows, C, sums, [&](int64_t r, int64_t c, double* v) {
    const double g = dy[r * C + c];
    v[0] = g;
    v[1] = g * (x[r * C + c] - mean[c]);
  });
  const double invN = 1.0 / double(l.rows);
  // dx = a dy + b (x - mean) + k per channel
  std::vector<double> a(C), b(C), k(C);
  for (int64_t c = 0; c < C; c++) {
    const double dOff = sums[0][c], dSc = sums[1][c] * rstd[c];
    dOffset[c] = float(dOff);
    dScale[c] = float(dSc);
    a[c] = scale[c] * rstd[c];
    b[c] = -a[c] * rstd[c] * dSc * invN + 2.0 * dVar[c] * invN;
    k[c] = -a[c] * dOff * invN + dMean[c] * invN;
  }
  ssseg::forRows(l.rows, C, [&](int64_t r) {
    const float* g = dy + r * C;
    const float* xr = x + r * C;
    float* o = dx + r * C;
    for (int64_t c = 0; c < C; c++) o[c] = float(a[c] * g[c] + b[c] * (xr[c] - mean[c]) + k[c]);
  });
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(batchNormTrain)
SSSEG_EXPORT(batchNormTrainGrad)

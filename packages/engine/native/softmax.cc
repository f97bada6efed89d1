// Softmax over the last axis: exp(x - max) / sum, rows in parallel; and softmax cross entropy
// fused into one pass (per-row loss and the softmax its gradient needs).
#include <algorithm>
#include <cmath>
#include "common.h"

namespace {

// softmax(x, out, rowLength)
napi_value softmaxBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 3);
  size_t xLen, outLen;
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  float* out = ssseg::floatArray(env, argv[1], &outLen);
  const int64_t k = ssseg::intValue(env, argv[2]);
  if (k < 1 || xLen % k) throw std::invalid_argument("the row length must divide the input");
  ssseg::checkLength("output", outLen, int64_t(xLen));
  const int64_t rows = int64_t(xLen) / k;
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * k;
    float* o = out + r * k;
    float max = in[0];
    for (int64_t j = 1; j < k; j++) max = std::max(max, in[j]);
    double sum = 0;
    for (int64_t j = 0; j < k; j++) sum += (o[j] = std::exp(in[j] - max));
    const float inv = float(1.0 / sum);
    for (int64_t j = 0; j < k; j++) o[j] *= inv;
  }
  return ssseg::undefinedValue(env);
}

// softmaxCrossEntropy(logits, labels, rowLoss, probs, rowLength): per row, with lse = log sum exp(x),
// rowLoss = sum labels * (lse - x) and probs = exp(x - lse).
napi_value softmaxCrossEntropyBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 5);
  size_t xLen, labelsLen, lossLen, probsLen;
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  const float* labels = ssseg::floatArray(env, argv[1], &labelsLen);
  float* loss = ssseg::floatArray(env, argv[2], &lossLen);
  float* probs = ssseg::floatArray(env, argv[3], &probsLen);
  const int64_t k = ssseg::intValue(env, argv[4]);
  if (k < 1 || xLen % k) throw std::invalid_argument("the row length must divide the logits");
  const int64_t rows = int64_t(xLen) / k;
  ssseg::checkLength("labels", labelsLen, int64_t(xLen));
  ssseg::checkLength("probabilities", probsLen, int64_t(xLen));
  ssseg::checkLength("row losses", lossLen, rows);
#pragma omp parallel for schedule(static) if (int64_t(xLen) >= (1 << 15))
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * k;
    const float* y = labels + r * k;
    float* p = probs + r * k;
    float max = in[0];
    for (int64_t j = 1; j < k; j++) max = std::max(max, in[j]);
    double sum = 0;
    for (int64_t j = 0; j < k; j++) sum += (p[j] = std::exp(in[j] - max));
    const double lse = double(max) + std::log(sum);
    const float inv = float(1.0 / sum);
    double cost = 0;
    for (int64_t j = 0; j < k; j++) {
      p[j] *= inv;
      cost += double(y[j]) * (lse - double(in[j]));
    }
    loss[r] = float(cost);
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(softmax)
SSSEG_EXPORT(softmaxCrossEntropy)

// Optimizer updates as one pass per tensor, in float32 with the operations in the order the stock
// tfjs path applies them (each rounded to float, no contraction), so both give the same bits:
// tfjs runs ~6 (SGD) to ~12 (Adam) element-wise kernels per parameter and step.
#include <cmath>
#include "common.h"

namespace {

constexpr int64_t kParallelMin = 1 << 15;

// sgdUpdate(param, grad, momentumBuffer, paramOut, bufferOut, [lr, momentum, weightDecay], [nesterov, fresh]):
// d = grad + param * weightDecay; next = fresh ? d : buffer * momentum + d; bufferOut = next;
// paramOut = param - (nesterov ? d + next * momentum : next) * lr. With momentum 0 the buffers are unused.
napi_value sgdUpdateBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 7);
  size_t pLen, gLen, bLen, poLen, boLen, sLen;
  const float* p = ssseg::floatArray(env, argv[0], &pLen);
  const float* g = ssseg::floatArray(env, argv[1], &gLen);
  const float* buf = ssseg::floatArray(env, argv[2], &bLen);
  float* pOut = ssseg::floatArray(env, argv[3], &poLen);
  float* bOut = ssseg::floatArray(env, argv[4], &boLen);
  const float* s = ssseg::floatArray(env, argv[5], &sLen);
  const auto flags = ssseg::intArray(env, argv[6]);
  ssseg::checkLength("scalars", sLen, 3);
  if (flags.size() != 2) throw std::invalid_argument("expected [nesterov, fresh] flags");
  const int64_t n = int64_t(pLen);
  const float lr = s[0], momentum = s[1], wd = s[2];
  const bool nesterov = flags[0] != 0, fresh = flags[1] != 0, useMomentum = momentum != 0;
  ssseg::checkLength("grad", gLen, n);
  ssseg::checkLength("paramOut", poLen, n);
  if (useMomentum) {
    if (!fresh) ssseg::checkLength("momentum buffer", bLen, n);
    ssseg::checkLength("bufferOut", boLen, n);
  }
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    float d = wd != 0 ? g[i] + p[i] * wd : g[i];
    if (useMomentum) {
      const float next = fresh ? d : buf[i] * momentum + d;
      bOut[i] = next;
      d = nesterov ? d + next * momentum : next;
    }
    pOut[i] = p[i] - d * lr;
  }
  return ssseg::undefinedValue(env);
}

// adamUpdate(param, grad, m, v, paramOut, mOut, vOut, [beta1, 1 - beta1, beta2, 1 - beta2, bias1, bias2, epsilon, lr, lr * weightDecay]):
// m' = m beta1 + grad (1 - beta1); v' = v beta2 + grad² (1 - beta2);
// param' = param - (m' / bias1) / (sqrt(v' / bias2) + epsilon) * lr [- param * (lr weightDecay)].
napi_value adamUpdateBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 8);
  size_t lens[8];
  const float* p = ssseg::floatArray(env, argv[0], &lens[0]);
  const float* g = ssseg::floatArray(env, argv[1], &lens[1]);
  const float* m = ssseg::floatArray(env, argv[2], &lens[2]);
  const float* v = ssseg::floatArray(env, argv[3], &lens[3]);
  float* pOut = ssseg::floatArray(env, argv[4], &lens[4]);
  float* mOut = ssseg::floatArray(env, argv[5], &lens[5]);
  float* vOut = ssseg::floatArray(env, argv[6], &lens[6]);
  const float* s = ssseg::floatArray(env, argv[7], &lens[7]);
  ssseg::checkLength("scalars", lens[7], 9);
  const int64_t n = int64_t(lens[0]);
  const char* names[7] = {"param", "grad", "m", "v", "paramOut", "mOut", "vOut"};
  for (int k = 1; k < 7; k++) ssseg::checkLength(names[k], lens[k], n);
  const float beta1 = s[0], oneMinusBeta1 = s[1], beta2 = s[2], oneMinusBeta2 = s[3], bias1 = s[4], bias2 = s[5], eps = s[6], lr = s[7], lrWd = s[8];
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * beta1 + g[i] * oneMinusBeta1;
    const float vi = v[i] * beta2 + (g[i] * g[i]) * oneMinusBeta2;
    mOut[i] = mi;
    vOut[i] = vi;
    const float update = (mi / bias1) / (std::sqrt(vi / bias2) + eps);
    float next = p[i] - update * lr;
    if (lrWd != 0) next = next - p[i] * lrWd;
    pOut[i] = next;
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(sgdUpdate)
SSSEG_EXPORT(adamUpdate)

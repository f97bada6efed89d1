// The IPixMatch affinity-KL term for one image, value and gradient in one call, in row chunks
// across the pool (no [M, M] matrix ever exists, only each thread's [chunk, M] rows):
//   A = P Pᵀ, R = A / rowsum(A), L = (1/M) Σ_i Σ_j Rt[i,j] log((Rt[i,j] + ε) / (Rs[i,j] + ε)),
// with P the teacher's and Q the student's [M, C] probabilities. The gradient (with respect to Q;
// the teacher gets none) follows losses/src/inter-pixel/affinity-kl.ts: with G = Rt / (Rs + ε),
// s_i = 1 / (M rs_i) and q̄ = Σ_j Q[j],
//   dQ = -(s ⊙ G) Q - Gᵀ (s ⊙ Q) + drs ⊗ q̄ + 1 ⊗ (Qᵀ drs),   drs_i = s_i (1 - ε Σ_j G[i,j]).
// Both need the same Rt and Rs rows, so computing them once halves the work of separate passes.
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <vector>
#include "common.h"

namespace {

constexpr int64_t kChunkRows = 64;

// Natural log of a positive normal float (the ratio of two values >= ε > 0), branch-free so the
// row loop below vectorises: x = m 2^e with m in [√½, √2), log x = e ln 2 + log m, log m by
// Cephes' logf polynomial (relative error ~1e-7). std::log is a scalar libm call, ~40% of the term.
inline float logPositive(float x) {
  int32_t bits;
  __builtin_memcpy(&bits, &x, 4);
  float e = float(((bits >> 23) & 0xff) - 126);
  bits = (bits & 0x807fffff) | 0x3f000000;  // mantissa in [0.5, 1)
  float m;
  __builtin_memcpy(&m, &bits, 4);
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1.0f : e;
  const float f = small ? m + m - 1.0f : m - 1.0f;
  const float z = f * f;
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * z;
  y += -2.12194440e-4f * e;
  y += -0.5f * z;
  return f + y + 0.693359375f * e;
}

// One row: the KL terms' sum, t[j] replaced by G = t / (s + ε), and G's sum (returned in gSum).
// Built for AVX-512, AVX2 and plain x86-64, picked at load time.
__attribute__((target_clones("avx512f", "avx2", "default")))
float klRow(float* __restrict t, const float* __restrict s, int64_t M, float epsilon, float* gSum) {
  float loss = 0, g = 0;
#pragma omp simd reduction(+ : loss, g)
  for (int64_t j = 0; j < M; j++) {
    const float inv = 1.0f / (s[j] + epsilon);
    const float tj = t[j];
    loss += tj * logPositive((tj + epsilon) * inv);
    t[j] = tj * inv;
    g += t[j];
  }
  *gSum = g;
  return loss;
}

void gemm(char ta, char tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (dnnl_sgemm(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc) != dnnl_success) throw std::runtime_error("oneDNN sgemm failed");
}

// Row sums of X Xᵀ as X · Σ_j X[j], in double.
std::vector<double> affinityRowSums(const float* x, int64_t M, int64_t C) {
  std::vector<double> total(C, 0.0), out(M);
  for (int64_t j = 0; j < M; j++)
    for (int64_t c = 0; c < C; c++) total[c] += x[j * C + c];
  for (int64_t i = 0; i < M; i++) {
    double s = 0;
    for (int64_t c = 0; c < C; c++) s += x[i * C + c] * total[c];
    out[i] = s;
  }
  return out;
}

// Rows [start, start + rows) of X Xᵀ / rowsum into out ([rows, M]): (X[rows] / rowsum) Xᵀ.
void normalisedRows(const float* x, const std::vector<double>& rowSum, int64_t M, int64_t C, int64_t start, int64_t rows, float* scaled, float* out) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t c = 0; c < C; c++) scaled[i * C + c] = float(x[(start + i) * C + c] / rowSum[start + i]);
  gemm('N', 'T', rows, M, C, scaled, C, x, C, 0.0f, out, M);
}

// affinityKl(teacher, student, loss, grad, M, C, epsilon): loss[0] = L, grad = dL/dQ ([M, C]).
napi_value affinityKlBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 7);
  size_t pLen, qLen, lossLen, gradLen;
  const float* p = ssseg::floatArray(env, argv[0], &pLen);
  const float* q = ssseg::floatArray(env, argv[1], &qLen);
  float* loss = ssseg::floatArray(env, argv[2], &lossLen);
  float* grad = ssseg::floatArray(env, argv[3], &gradLen);
  const int64_t M = ssseg::intValue(env, argv[4]), C = ssseg::intValue(env, argv[5]);
  double eps = 0;
  napi_get_value_double(env, argv[6], &eps);
  if (M < 1 || C < 1) throw std::invalid_argument("affinityKl needs M >= 1 and C >= 1");
  for (auto [what, len] : {std::pair{"teacher", pLen}, {"student", qLen}, {"grad", gradLen}}) ssseg::checkLength(what, len, M * C);
  ssseg::checkLength("loss", lossLen, 1);
  const float epsilon = float(eps);

  const std::vector<double> rt = affinityRowSums(p, M, C), rs = affinityRowSums(q, M, C);
  std::vector<double> drs(M);
  std::vector<float> rowPart(M * C);
  const int64_t chunks = (M + kChunkRows - 1) / kChunkRows;
  const int threads = int(std::min<int64_t>(omp_get_max_threads(), chunks));
  // Each thread takes a fixed share of the chunks (static, not dynamic) and keeps its own loss and
  // Gᵀ (s ⊙ Q) partials, added in thread order below: a given thread count gives the same bits on
  // every run, so a run and its resume agree at any thread count.
  std::vector<std::vector<float>> columnParts(threads);  // Gᵀ (s ⊙ Q) per thread, [M, C]
  std::vector<double> lossParts(threads, 0.0);
#pragma omp parallel num_threads(threads)
  {
    std::vector<float>& column = columnParts[omp_get_thread_num()];
    double& lossSum = lossParts[omp_get_thread_num()];
    column.assign(M * C, 0.0f);
    std::vector<float> Rt(kChunkRows * M), Rs(kChunkRows * M), scaled(kChunkRows * C);
    bool touched = false;
#pragma omp for schedule(static)
    for (int64_t chunk = 0; chunk < chunks; chunk++) {
      const int64_t start = chunk * kChunkRows, rows = std::min(kChunkRows, M - start);
      normalisedRows(p, rt, M, C, start, rows, scaled.data(), Rt.data());
      normalisedRows(q, rs, M, C, start, rows, scaled.data(), Rs.data());
      for (int64_t i = 0; i < rows; i++) {
        float gSum;
        lossSum += klRow(Rt.data() + i * M, Rs.data() + i * M, M, epsilon, &gSum);  // Rt's row becomes G's
        const double si = 1.0 / (double(M) * rs[start + i]);
        drs[start + i] = si * (1.0 - epsilon * gSum);
        for (int64_t c = 0; c < C; c++) scaled[i * C + c] = float(-si * q[(start + i) * C + c]);
      }
      // rows of -(s ⊙ G) Q, and -Gᵀ (s ⊙ Q) accumulated over this thread's chunks
      gemm('N', 'N', rows, C, M, Rt.data(), M, q, C, 0.0f, rowPart.data() + start * C, C);
      for (int64_t i = 0; i < rows; i++) {
        const float si = float(-1.0 / (double(M) * rs[start + i]));
        for (int64_t c = 0; c < C; c++) rowPart[(start + i) * C + c] *= si;
      }
      gemm('T', 'N', M, C, rows, Rt.data(), M, scaled.data(), C, 1.0f, column.data(), C);
      touched = true;
    }
    if (!touched) column.clear();
  }
  std::vector<double> qBar(C, 0.0), qDrs(C, 0.0);
  for (int64_t j = 0; j < M; j++)
    for (int64_t c = 0; c < C; c++) {
      qBar[c] += q[j * C + c];
      qDrs[c] += double(q[j * C + c]) * drs[j];
    }
  for (int64_t i = 0; i < M; i++)
    for (int64_t c = 0; c < C; c++) {
      double v = double(rowPart[i * C + c]) + drs[i] * qBar[c] + qDrs[c];
      for (const auto& column : columnParts)
        if (!column.empty()) v += column[i * C + c];
      grad[i * C + c] = float(v);
    }
  double lossSum = 0;
  for (const double part : lossParts) lossSum += part;
  loss[0] = float(lossSum / double(M));
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(affinityKl)

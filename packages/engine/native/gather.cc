// Strided copies: Slice, Tile and the parts of SplitV as one kernel. Output index i along an axis
// reads input index (begin + i) mod inShape along it (the modulo only matters for Tile).
#include <algorithm>
#include "common.h"

namespace {

constexpr int64_t kParallelMin = 1 << 15;

// gather(x, out, layout): layout = [rank, outShape..., inShape..., begin...].
napi_value gatherBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 3);
  size_t xLen, outLen;
  const float* x = ssseg::floatArray(env, argv[0], &xLen);
  float* out = ssseg::floatArray(env, argv[1], &outLen);
  const auto p = ssseg::intArray(env, argv[2]);
  const size_t rank = p.empty() ? 0 : size_t(p[0]);
  if (rank == 0 || p.size() != 1 + 3 * rank) throw std::invalid_argument("malformed gather layout");
  std::vector<int64_t> shape(p.begin() + 1, p.begin() + 1 + rank), inShape(p.begin() + 1 + rank, p.begin() + 1 + 2 * rank);
  std::vector<int64_t> begin(p.begin() + 1 + 2 * rank, p.end()), inStrides(rank);
  int64_t total = 1, inTotal = 1;
  for (size_t d = rank; d-- > 0;) {
    if (inShape[d] < 1 || begin[d] < 0 || begin[d] >= inShape[d]) throw std::invalid_argument("gather: begin outside the input");
    inStrides[d] = inTotal;
    inTotal *= inShape[d];
    total *= shape[d];
  }
  ssseg::checkLength("input", xLen, inTotal);
  ssseg::checkLength("output", outLen, total);
  const int64_t inner = shape[rank - 1], inInner = inShape[rank - 1], b0 = begin[rank - 1];
  const int64_t rows = inner ? total / inner : 0;
  const bool contiguous = b0 + inner <= inInner;
#pragma omp parallel for schedule(static) if (total >= kParallelMin)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rest = row, base = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      const int64_t idx = rest % shape[d];
      rest /= shape[d];
      base += ((begin[d] + idx) % inShape[d]) * inStrides[d];
    }
    float* o = out + row * inner;
    if (contiguous) std::copy(x + base + b0, x + base + b0 + inner, o);
    else for (int64_t j = 0; j < inner; j++) o[j] = x[base + (b0 + j) % inInner];
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(gather)

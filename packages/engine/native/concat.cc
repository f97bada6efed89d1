// Concatenation along one axis. With the output seen as [outer, rowLength], part k fills the
// columns [offset_k, offset_k + inner_k) of every row; a U-Net's skip connections make many short
// rows (the channels of one pixel), so rows are split across the pool, not the copies inside one.
#include <algorithm>
#include "common.h"

namespace {

constexpr int64_t kParallelMin = 1 << 15;

// concat(parts, inners, out, outer): parts a JavaScript array of Float32Arrays, inners an Int32Array.
napi_value concatBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 4);
  const auto inners = ssseg::intArray(env, argv[1]);
  uint32_t count = 0;
  if (napi_get_array_length(env, argv[0], &count) != napi_ok) throw std::invalid_argument("expected an array of parts");
  if (count == 0 || count != inners.size()) throw std::invalid_argument("one inner length per part is needed");
  const int64_t outer = ssseg::intValue(env, argv[3]);
  if (outer < 0) throw std::invalid_argument("outer must not be negative");
  std::vector<const float*> parts(count);
  std::vector<int64_t> offsets(count);
  int64_t rowLength = 0;
  for (uint32_t k = 0; k < count; k++) {
    napi_value part;
    if (napi_get_element(env, argv[0], k, &part) != napi_ok) throw std::invalid_argument("unreadable part");
    size_t length;
    parts[k] = ssseg::floatArray(env, part, &length);
    if (inners[k] < 0) throw std::invalid_argument("inner lengths must not be negative");
    ssseg::checkLength("part", length, outer * inners[k]);
    offsets[k] = rowLength;
    rowLength += inners[k];
  }
  size_t outLength;
  float* out = ssseg::floatArray(env, argv[2], &outLength);
  ssseg::checkLength("output", outLength, outer * rowLength);
  if (outer == 1) {
    // one row (concatenation along the first axis): each part is one long copy
    for (uint32_t k = 0; k < count; k++) std::copy(parts[k], parts[k] + inners[k], out + offsets[k]);
    return ssseg::undefinedValue(env);
  }
#pragma omp parallel for schedule(static) if (outer * rowLength >= kParallelMin)
  for (int64_t r = 0; r < outer; r++) {
    float* row = out + r * rowLength;
    for (uint32_t k = 0; k < count; k++) {
      const float* from = parts[k] + r * inners[k];
      std::copy(from, from + inners[k], row + offsets[k]);
    }
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(concat)

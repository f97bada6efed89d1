// Element-wise kernels with TensorFlow.js cpu semantics: unary maps, binary maps with
// broadcasting (per-axis strides, 0 on broadcast axes), and reductions over any set of axes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <omp.h>
#include "channel_sums.h"
#include "common.h"

namespace {

// Below this many elements a loop runs on one thread: waking the pool costs more.
constexpr int64_t kParallelMin = 1 << 15;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

enum Unary { RELU, RELU6, EXP, LOG, NEG, SQRT, RSQRT, SQUARE, ABS, SIGMOID, TANH, STEP };

// body(begin, end) over [0, n): on the calling thread when small, else in chunks across the pool.
template <typename Body>
void inChunks(int64_t n, Body body) {
  constexpr int64_t chunk = 1 << 13;
  if (n < kParallelMin || omp_get_max_threads() == 1) return body(0, n);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < (n + chunk - 1) / chunk; c++) body(c * chunk, std::min(n, (c + 1) * chunk));
}

template <typename F>
void unaryRange(const float* __restrict x, float* __restrict out, int64_t n, F f) {
  for (int64_t i = 0; i < n; i++) out[i] = f(x[i]);
}

template <typename F>
void mapUnary(const float* x, float* out, int64_t n, F f) {
  inChunks(n, [&](int64_t begin, int64_t end) { unaryRange(x + begin, out + begin, end - begin, f); });
}

// unary(op, x, out, alpha): alpha is Step's value for x <= 0.
napi_value unaryBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 4);
  const int op = ssseg::intValue(env, argv[0]);
  size_t n, outLen;
  const float* x = ssseg::floatArray(env, argv[1], &n);
  float* out = ssseg::floatArray(env, argv[2], &outLen);
  double alpha = 0;
  napi_get_value_double(env, argv[3], &alpha);
  ssseg::checkLength("output", outLen, int64_t(n));
  const int64_t len = int64_t(n);
  const float a = float(alpha);
  switch (op) {
    case RELU: mapUnary(x, out, len, [](float v) { return v < 0 ? 0.0f : v; }); break;
    case RELU6: mapUnary(x, out, len, [](float v) { return v < 0 ? 0.0f : v > 6 ? 6.0f : v; }); break;
    case EXP: mapUnary(x, out, len, [](float v) { return std::exp(v); }); break;
    case LOG: mapUnary(x, out, len, [](float v) { return std::log(v); }); break;
    case NEG: mapUnary(x, out, len, [](float v) { return -v; }); break;
    case SQRT: mapUnary(x, out, len, [](float v) { return std::sqrt(v); }); break;
    case RSQRT: mapUnary(x, out, len, [](float v) { return 1.0f / std::sqrt(v); }); break;
    case SQUARE: mapUnary(x, out, len, [](float v) { return v * v; }); break;
    case ABS: mapUnary(x, out, len, [](float v) { return std::fabs(v); }); break;
    case SIGMOID: mapUnary(x, out, len, [](float v) { return float(1.0 / (1.0 + std::exp(-double(v)))); }); break;
    case TANH: mapUnary(x, out, len, [](float v) { return std::tanh(v); }); break;
    case STEP: mapUnary(x, out, len, [a](float v) { return v > 0 ? 1.0f : v != v ? v : a; }); break;
    default: throw std::invalid_argument("unknown unary op " + std::to_string(op));
  }
  return ssseg::undefinedValue(env);
}

enum Binary { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE, RELU_GRAD };

// One row of the output: the operands' inner strides are 0 (broadcast) or 1, the common cases
// get loops the compiler vectorises.
template <typename F>
inline void binaryRow(const float* a, int64_t aInner, const float* b, int64_t bInner, float* o, int64_t n, F f) {
  if (aInner == 1 && bInner == 1) {
    for (int64_t j = 0; j < n; j++) o[j] = f(a[j], b[j]);
  } else if (aInner == 1 && bInner == 0) {
    const float y = b[0];
    for (int64_t j = 0; j < n; j++) o[j] = f(a[j], y);
  } else if (aInner == 0 && bInner == 1) {
    const float x = a[0];
    for (int64_t j = 0; j < n; j++) o[j] = f(x, b[j]);
  } else {
    for (int64_t j = 0; j < n; j++) o[j] = f(a[j * aInner], b[j * bInner]);
  }
}

// Walks the output row by row (the last axis), each row from offsets decomposed from its index;
// a single long row is split in chunks instead.
template <typename F>
void mapBinary(const float* a, const float* b, float* out, const std::vector<int64_t>& shape,
               const std::vector<int64_t>& aStrides, const std::vector<int64_t>& bStrides, F f) {
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1], aInner = aStrides[rank - 1], bInner = bStrides[rank - 1];
  int64_t total = 1;
  for (int64_t d : shape) total *= d;
  if (rank == 1) {
    return inChunks(total, [&](int64_t begin, int64_t end) {
      binaryRow(a + begin * aInner, aInner, b + begin * bInner, bInner, out + begin, end - begin, f);
    });
  }
  const int64_t rows = inner ? total / inner : 0;
#pragma omp parallel for schedule(static) if (total >= kParallelMin)
  for (int64_t row = 0; row < rows; row++) {
    int64_t rest = row, ai = 0, bi = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      const int64_t idx = rest % shape[d];
      rest /= shape[d];
      ai += idx * aStrides[d];
      bi += idx * bStrides[d];
    }
    binaryRow(a + ai, aInner, b + bi, bInner, out + row * inner, inner, f);
  }
}

// Merges each axis into the next where both operands step through them as one (same-shape runs,
// runs broadcast in both), and drops size-1 axes: [8, 64, 64, 11] - [8, 64, 64, 1] becomes
// [32768, 11] - [32768, 1], and same-shape operands one flat row.
void collapseAxes(std::vector<int64_t>& shape, std::vector<int64_t>& as, std::vector<int64_t>& bs) {
  std::vector<int64_t> s, x, y;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 1) continue;
    if (!s.empty() && x.back() == as[d] * shape[d] && y.back() == bs[d] * shape[d]) {
      s.back() *= shape[d];
      x.back() = as[d];
      y.back() = bs[d];
      continue;
    }
    s.push_back(shape[d]);
    x.push_back(as[d]);
    y.push_back(bs[d]);
  }
  if (s.empty()) s = {1}, x = {0}, y = {0};
  shape.swap(s), as.swap(x), bs.swap(y);
}

// binary(op, a, b, out, layout): layout = [rank, outShape..., aStrides..., bStrides...].
napi_value binaryBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 5);
  const int op = ssseg::intValue(env, argv[0]);
  size_t aLen, bLen, outLen;
  const float* a = ssseg::floatArray(env, argv[1], &aLen);
  const float* b = ssseg::floatArray(env, argv[2], &bLen);
  float* out = ssseg::floatArray(env, argv[3], &outLen);
  const auto layout = ssseg::intArray(env, argv[4]);
  const size_t rank = layout.empty() ? 0 : size_t(layout[0]);
  if (layout.size() != 1 + 3 * rank) throw std::invalid_argument("malformed broadcast layout");
  std::vector<int64_t> shape(layout.begin() + 1, layout.begin() + 1 + rank);
  std::vector<int64_t> as(layout.begin() + 1 + rank, layout.begin() + 1 + 2 * rank);
  std::vector<int64_t> bs(layout.begin() + 1 + 2 * rank, layout.end());
  collapseAxes(shape, as, bs);  // scalars become one row of one element
  int64_t total = 1, aMax = 0, bMax = 0;
  for (size_t d = 0; d < shape.size(); d++) {
    total *= shape[d];
    aMax += (shape[d] - 1) * as[d];
    bMax += (shape[d] - 1) * bs[d];
  }
  ssseg::checkLength("output", outLen, total);
  if (total == 0) return ssseg::undefinedValue(env);
  ssseg::checkLength("a", aLen, aMax + 1);
  ssseg::checkLength("b", bLen, bMax + 1);
  switch (op) {
    case ADD: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return x + y; }); break;
    case SUB: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return x - y; }); break;
    case MUL: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return x * y; }); break;
    case DIV: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return x / y; }); break;
    case MAXIMUM: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return x != x || y != y ? kNaN : std::max(x, y); }); break;
    case MINIMUM: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return x != x || y != y ? kNaN : std::min(x, y); }); break;
    case SQUARED_DIFFERENCE: mapBinary(a, b, out, shape, as, bs, [](float x, float y) { return (x - y) * (x - y); }); break;
    // ReLU's backward, dy * step(x) in one pass (tfjs: a Step then a Multiply); NaN in x stays NaN as Step keeps it
    case RELU_GRAD: mapBinary(a, b, out, shape, as, bs, [](float dy, float x) { return dy * (x > 0 ? 1.0f : x != x ? x : 0.0f); }); break;
    default: throw std::invalid_argument("unknown binary op " + std::to_string(op));
  }
  return ssseg::undefinedValue(env);
}

enum Reduce { SUM, MEAN, MAX, MIN };

// Offsets of every index of the given axes (others fixed at 0), first axis slowest.
std::vector<int64_t> offsets(const std::vector<int64_t>& shape, const std::vector<int64_t>& strides, const std::vector<bool>& pick) {
  std::vector<int64_t> out{0};
  for (size_t d = 0; d < shape.size(); d++) {
    if (!pick[d]) continue;
    std::vector<int64_t> next;
    next.reserve(out.size() * shape[d]);
    for (int64_t base : out)
      for (int64_t i = 0; i < shape[d]; i++) next.push_back(base + i * strides[d]);
    out.swap(next);
  }
  return out;
}

// The reduction as [kept, reduced] or [reduced, kept] blocks (adjacent axes of one kind merged,
// size-1 axes dropped): contiguous loops instead of offset tables. False for other patterns.
bool reduceBlocks(int op, const float* x, float* out, size_t outLen, const std::vector<int64_t>& shape, const std::vector<bool>& reduced) {
  std::vector<int64_t> sizes;
  std::vector<bool> kinds;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 1) continue;
    if (!kinds.empty() && kinds.back() == reduced[d]) sizes.back() *= shape[d];
    else sizes.push_back(shape[d]), kinds.push_back(reduced[d]);
  }
  if (sizes.empty() || sizes.size() > 2) return false;
  const bool trailing = kinds.back();  // [kept, reduced] or [reduced]
  if (sizes.size() == 1 && !trailing) return false;  // nothing reduced: the general path copies
  const int64_t nRed = trailing ? sizes.back() : sizes[0];
  const int64_t nOut = sizes.size() == 1 ? 1 : trailing ? sizes[0] : sizes[1];
  ssseg::checkLength("output", outLen, nOut);
  const bool isSum = op == SUM || op == MEAN;
  const double scale = op == MEAN ? 1.0 / double(nRed) : 1.0;
  if (trailing) {
#pragma omp parallel for schedule(static) if (nOut * nRed >= kParallelMin && nOut > 1)
    for (int64_t o = 0; o < nOut; o++) {
      const float* row = x + o * nRed;
      if (isSum) {
        double acc = 0;
        for (int64_t r = 0; r < nRed; r++) acc += row[r];
        out[o] = float(acc * scale);
      } else {
        float m = row[0];
        for (int64_t r = 1; r < nRed && m == m; r++) {
          const float v = row[r];
          m = v != v ? v : op == MAX ? std::max(m, v) : std::min(m, v);
        }
        out[o] = m;
      }
    }
    return true;
  }
  if (!isSum) return false;
  // [reduced, kept]: rows added into per-column sums, columns split across threads.
  std::vector<double> acc(nOut, 0.0);
  inChunks(nOut, [&](int64_t begin, int64_t end) {
    for (int64_t r = 0; r < nRed; r++) {
      const float* row = x + r * nOut;
      for (int64_t o = begin; o < end; o++) acc[o] += row[o];
    }
  });
  for (int64_t o = 0; o < nOut; o++) out[o] = float(acc[o] * scale);
  return true;
}

// reduce(op, x, out, layout): layout = [rank, shape..., reduced (0/1) per axis]; out has the kept axes in order.
napi_value reduceBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 4);
  const int op = ssseg::intValue(env, argv[0]);
  if (op < SUM || op > MIN) throw std::invalid_argument("unknown reduction " + std::to_string(op));
  size_t xLen, outLen;
  const float* x = ssseg::floatArray(env, argv[1], &xLen);
  float* out = ssseg::floatArray(env, argv[2], &outLen);
  const auto layout = ssseg::intArray(env, argv[3]);
  const size_t rank = layout.empty() ? 0 : size_t(layout[0]);
  if (layout.size() != 1 + 2 * rank) throw std::invalid_argument("malformed reduction layout");
  std::vector<int64_t> shape(layout.begin() + 1, layout.begin() + 1 + rank), strides(rank);
  std::vector<bool> reduced(rank), kept(rank);
  int64_t total = 1;
  for (size_t d = rank; d-- > 0;) {
    strides[d] = total;
    total *= shape[d];
    reduced[d] = layout[1 + rank + d] != 0;
    kept[d] = !reduced[d];
  }
  ssseg::checkLength("input", xLen, total);
  if (total > 0 && reduceBlocks(op, x, out, outLen, shape, reduced)) return ssseg::undefinedValue(env);
  const auto keptOffsets = offsets(shape, strides, kept), reducedOffsets = offsets(shape, strides, reduced);
  const int64_t nOut = int64_t(keptOffsets.size()), nRed = int64_t(reducedOffsets.size());
  ssseg::checkLength("output", outLen, nOut);
  if (total == 0) return ssseg::undefinedValue(env);
  const bool isSum = op == SUM || op == MEAN;
  const double scale = op == MEAN ? 1.0 / double(nRed) : 1.0;
  // Kept axis innermost: reduced rows run outer so reads stay contiguous; accumulate per thread.
  const bool keptInnermost = rank > 0 && kept[rank - 1] && nOut > 1;
  if (keptInnermost && isSum) {
    std::vector<double> acc[1];
    ssseg::channelSums<1>(nRed, nOut, acc, [&](int64_t r, int64_t o, double* v) { v[0] = x[reducedOffsets[r] + keptOffsets[o]]; });
    for (int64_t o = 0; o < nOut; o++) out[o] = float(acc[0][o] * scale);
    return ssseg::undefinedValue(env);
  }
#pragma omp parallel for schedule(static) if (total >= kParallelMin && nOut > 1)
  for (int64_t o = 0; o < nOut; o++) {
    const float* base = x + keptOffsets[o];
    if (isSum) {
      double s = 0;
      for (int64_t r = 0; r < nRed; r++) s += base[reducedOffsets[r]];
      out[o] = float(s * scale);
    } else {
      float m = base[reducedOffsets[0]];
      for (int64_t r = 1; r < nRed && m == m; r++) {
        const float v = base[reducedOffsets[r]];
        if (v != v) m = v;
        else m = op == MAX ? std::max(m, v) : std::min(m, v);
      }
      out[o] = m;
    }
  }
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(unary)
SSSEG_EXPORT(binary)
SSSEG_EXPORT(reduce)

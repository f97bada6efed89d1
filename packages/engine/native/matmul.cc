// Batched matrix product on oneDNN: out[b] = op(A[b]) x op(B[b]), op a transpose when asked,
// a batch of 1 broadcast against the other operand's batch (TensorFlow.js's BatchMatMul).
#include <map>
#include <memory>
#include "common.h"

using dnnl::memory;
using dt = dnnl::memory::data_type;

namespace {

struct MatMulPrimitive {
  dnnl::matmul primitive;
  memory::desc a, b, out;
};

// attrs: [batchA, batchB, M, K, N, transposeA, transposeB]
MatMulPrimitive& primitiveFor(const std::vector<int64_t>& p) {
  static std::map<std::vector<int64_t>, std::unique_ptr<MatMulPrimitive>> cache;
  auto found = cache.find(p);
  if (found != cache.end()) return *found->second;
  if (p.size() != 7) throw std::invalid_argument("expected 7 matmul attributes");
  const int64_t batchA = p[0], batchB = p[1], m = p[2], k = p[3], n = p[4];
  const bool transA = p[5] != 0, transB = p[6] != 0;
  if (batchA != batchB && batchA != 1 && batchB != 1) throw std::invalid_argument("batch sizes must match or be 1");
  auto entry = std::make_unique<MatMulPrimitive>();
  // A transposed is stored [batch, K, M]: element (m, k) sits at k * M + m.
  entry->a = memory::desc({batchA, m, k}, dt::f32, transA ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  entry->b = memory::desc({batchB, k, n}, dt::f32, transB ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  const int64_t batch = std::max(batchA, batchB);
  entry->out = memory::desc({batch, m, n}, dt::f32, memory::dims{m * n, n, 1});
  dnnl::matmul::desc d(entry->a, entry->b, entry->out);
  entry->primitive = dnnl::matmul(dnnl::matmul::primitive_desc(d, ssseg::cpuEngine()));
  return *cache.emplace(p, std::move(entry)).first->second;
}

// matmul(a, b, out, attrs); `out` is overwritten.
napi_value matmulBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 4);
  size_t aLen, bLen, outLen;
  float* a = ssseg::floatArray(env, argv[0], &aLen);
  float* b = ssseg::floatArray(env, argv[1], &bLen);
  float* out = ssseg::floatArray(env, argv[2], &outLen);
  MatMulPrimitive& mm = primitiveFor(ssseg::intArray(env, argv[3]));
  ssseg::checkLength("a", aLen, mm.a.get_size() / 4);
  ssseg::checkLength("b", bLen, mm.b.get_size() / 4);
  ssseg::checkLength("output", outLen, mm.out.get_size() / 4);
  auto& eng = ssseg::cpuEngine();
  memory aMem(mm.a, eng, a), bMem(mm.b, eng, b), outMem(mm.out, eng, out);
  auto& strm = ssseg::cpuStream();
  mm.primitive.execute(strm, {{DNNL_ARG_SRC, aMem}, {DNNL_ARG_WEIGHTS, bMem}, {DNNL_ARG_DST, outMem}});
  strm.wait();
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(matmul)

// 2-D convolution (plain, strided, dilated, grouped = depthwise) and both its backprops on oneDNN.
// Activations stay NHWC and filters in TensorFlow.js's [kh, kw, in, out] layout in the caller's
// arrays; only the (small) filter is reordered into the layout oneDNN's kernel prefers.
#include <map>
#include <memory>
#include "common.h"

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

namespace {

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

// [N, IH, IW, IC, OH, OW, OC, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G]
struct ConvShape {
  int64_t n, ih, iw, ic, oh, ow, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g;
};

ConvShape parseShape(const std::vector<int64_t>& p) {
  if (p.size() != 18) throw std::invalid_argument("expected 18 convolution attributes");
  ConvShape s{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17]};
  if (s.g < 1 || s.ic % s.g || s.oc % s.g) throw std::invalid_argument("channels must divide into the groups");
  return s;
}

struct ConvPrimitive {
  dnnl::primitive primitive;
  memory::desc src, weights, dst;  // the caller's layouts: NHWC, [kh, kw, in, out]
  memory::desc weightsPrimitive;   // the layout the primitive takes
  std::unique_ptr<memory> weightsScratch;
  dnnl::primitive weightsReorder;
  bool reorderWeights = false;
};

memory::desc weightsDesc(const ConvShape& s, bool any) {
  if (s.g == 1) return memory::desc({s.oc, s.ic, s.kh, s.kw}, dt::f32, any ? tag::any : tag::hwio);
  return memory::desc({s.g, s.oc / s.g, s.ic / s.g, s.kh, s.kw}, dt::f32, any ? tag::any : tag::hwigo);
}

ConvPrimitive& primitiveFor(Kind kind, const std::vector<int64_t>& p) {
  static std::map<std::vector<int64_t>, std::unique_ptr<ConvPrimitive>> cache;
  std::vector<int64_t> key(p);
  key.push_back(kind);
  auto found = cache.find(key);
  if (found != cache.end()) return *found->second;

  const ConvShape s = parseShape(p);
  auto& eng = ssseg::cpuEngine();
  auto entry = std::make_unique<ConvPrimitive>();
  entry->src = memory::desc({s.n, s.ic, s.ih, s.iw}, dt::f32, tag::nhwc);
  entry->dst = memory::desc({s.n, s.oc, s.oh, s.ow}, dt::f32, tag::nhwc);
  entry->weights = weightsDesc(s, false);
  const memory::desc weightsAny = weightsDesc(s, true);
  const memory::dims strides{s.sh, s.sw}, dilates{s.dh - 1, s.dw - 1}, padL{s.pt, s.pl}, padR{s.pb, s.pr};

  dnnl::convolution_forward::desc forwardDesc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                              entry->src, weightsAny, entry->dst, strides, dilates, padL, padR);
  dnnl::convolution_forward::primitive_desc forwardPd(forwardDesc, eng);
  if (kind == kForward) {
    entry->weightsPrimitive = forwardPd.weights_desc();
    entry->primitive = dnnl::convolution_forward(forwardPd);
  } else if (kind == kBackwardData) {
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, entry->src, weightsAny, entry->dst, strides, dilates, padL, padR);
    dnnl::convolution_backward_data::primitive_desc pd(d, eng, forwardPd);
    entry->weightsPrimitive = pd.weights_desc();
    entry->primitive = dnnl::convolution_backward_data(pd);
  } else {
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, entry->src, weightsAny, entry->dst, strides, dilates, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, eng, forwardPd);
    entry->weightsPrimitive = pd.diff_weights_desc();
    entry->primitive = dnnl::convolution_backward_weights(pd);
  }
  entry->reorderWeights = entry->weightsPrimitive != entry->weights;
  if (entry->reorderWeights) {
    entry->weightsScratch = std::make_unique<memory>(entry->weightsPrimitive, eng);
    memory user(entry->weights, eng, DNNL_MEMORY_NONE);
    entry->weightsReorder = kind == kBackwardWeights ? dnnl::primitive(dnnl::reorder(*entry->weightsScratch, user))
                                                     : dnnl::primitive(dnnl::reorder(user, *entry->weightsScratch));
  }
  return *cache.emplace(key, std::move(entry)).first->second;
}

// conv2d(kind, a, b, out, attrs): forward (x, filter -> y), backward data (dy, filter -> dx),
// backward weights (x, dy -> dFilter). `out` is overwritten.
napi_value conv2dBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 5);
  const Kind kind = static_cast<Kind>(ssseg::intValue(env, argv[0]));
  if (kind < kForward || kind > kBackwardWeights) throw std::invalid_argument("unknown convolution kind");
  size_t aLen, bLen, outLen;
  float* a = ssseg::floatArray(env, argv[1], &aLen);
  float* b = ssseg::floatArray(env, argv[2], &bLen);
  float* out = ssseg::floatArray(env, argv[3], &outLen);
  const auto attrs = ssseg::intArray(env, argv[4]);
  ConvPrimitive& c = primitiveFor(kind, attrs);
  auto& eng = ssseg::cpuEngine();
  auto& strm = ssseg::cpuStream();

  const memory::desc& aDesc = kind == kBackwardData ? c.dst : c.src;
  const memory::desc& bDesc = kind == kBackwardWeights ? c.dst : c.weights;
  const memory::desc& outDesc = kind == kForward ? c.dst : kind == kBackwardData ? c.src : c.weights;
  ssseg::checkLength("first input", aLen, aDesc.get_size() / 4);
  ssseg::checkLength("second input", bLen, bDesc.get_size() / 4);
  ssseg::checkLength("output", outLen, outDesc.get_size() / 4);
  memory aMem(aDesc, eng, a), bMem(bDesc, eng, b), outMem(outDesc, eng, out);

  if (kind == kBackwardWeights) {
    memory& diffWeights = c.reorderWeights ? *c.weightsScratch : outMem;
    c.primitive.execute(strm, {{DNNL_ARG_SRC, aMem}, {DNNL_ARG_DIFF_DST, bMem}, {DNNL_ARG_DIFF_WEIGHTS, diffWeights}});
    if (c.reorderWeights) c.weightsReorder.execute(strm, {{DNNL_ARG_FROM, *c.weightsScratch}, {DNNL_ARG_TO, outMem}});
  } else {
    memory weights = bMem;
    if (c.reorderWeights) {
      c.weightsReorder.execute(strm, {{DNNL_ARG_FROM, bMem}, {DNNL_ARG_TO, *c.weightsScratch}});
      weights = *c.weightsScratch;
    }
    if (kind == kForward) {
      c.primitive.execute(strm, {{DNNL_ARG_SRC, aMem}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, outMem}});
    } else {
      c.primitive.execute(strm, {{DNNL_ARG_DIFF_DST, aMem}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, outMem}});
    }
  }
  strm.wait();
  return ssseg::undefinedValue(env);
}

}  // namespace

SSSEG_EXPORT(conv2d)

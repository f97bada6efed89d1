// Entry point of the ssseg native addon: registers the kernels and the thread-count controls.
#include <omp.h>
#include "common.h"

napi_value conv2d(napi_env, napi_callback_info);
napi_value matmul(napi_env, napi_callback_info);
napi_value resizeBilinear(napi_env, napi_callback_info);
napi_value resizeBilinearGrad(napi_env, napi_callback_info);
napi_value softmax(napi_env, napi_callback_info);
napi_value softmaxCrossEntropy(napi_env, napi_callback_info);
napi_value unary(napi_env, napi_callback_info);
napi_value binary(napi_env, napi_callback_info);
napi_value reduce(napi_env, napi_callback_info);
napi_value gather(napi_env, napi_callback_info);
napi_value maxPool(napi_env, napi_callback_info);
napi_value batchNorm(napi_env, napi_callback_info);
napi_value maxPoolGrad(napi_env, napi_callback_info);
napi_value batchNormTrain(napi_env, napi_callback_info);
napi_value batchNormTrainGrad(napi_env, napi_callback_info);
napi_value sgdUpdate(napi_env, napi_callback_info);
napi_value adamUpdate(napi_env, napi_callback_info);
napi_value affinityKl(napi_env, napi_callback_info);
napi_value concat(napi_env, napi_callback_info);

namespace {

napi_value setThreadsBody(napi_env env, napi_callback_info info) {
  auto argv = ssseg::arguments(env, info, 1);
  const int32_t threads = ssseg::intValue(env, argv[0]);
  if (threads < 1) throw std::invalid_argument("threads must be at least 1");
  omp_set_num_threads(threads);
  return ssseg::undefinedValue(env);
}

napi_value getThreadsBody(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, omp_get_max_threads(), &out);
  return out;
}

napi_value versionBody(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  const std::string text = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value out;
  napi_create_string_utf8(env, text.c_str(), text.size(), &out);
  return out;
}

}  // namespace

SSSEG_EXPORT(setThreads)
SSSEG_EXPORT(getThreads)
SSSEG_EXPORT(version)

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"conv2d", nullptr, conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resizeBilinear", nullptr, resizeBilinear, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resizeBilinearGrad", nullptr, resizeBilinearGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmax", nullptr, softmax, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropy", nullptr, softmaxCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gather", nullptr, gather, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, batchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, maxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, maxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, batchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainGrad", nullptr, batchNormTrainGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgdUpdate", nullptr, sgdUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamUpdate", nullptr, adamUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"affinityKl", nullptr, affinityKl, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, getThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, version, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

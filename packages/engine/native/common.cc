#include "common.h"

namespace ssseg {

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

static void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw std::runtime_error(std::string("N-API call failed: ") + what);
}

std::vector<napi_value> arguments(napi_env env, napi_callback_info info, size_t expected) {
  size_t argc = 16;
  std::vector<napi_value> argv(argc);
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "get_cb_info");
  if (argc < expected) throw std::invalid_argument("expected " + std::to_string(expected) + " arguments, got " + std::to_string(argc));
  argv.resize(argc);
  return argv;
}

float* floatArray(napi_env env, napi_value value, size_t* length) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "is_typedarray");
  if (!isTyped) throw std::invalid_argument("expected a Float32Array");
  napi_typedarray_type type;
  void* data = nullptr;
  check(env, napi_get_typedarray_info(env, value, &type, length, &data, nullptr, nullptr), "get_typedarray_info");
  if (type != napi_float32_array) throw std::invalid_argument("expected a Float32Array");
  return static_cast<float*>(data);
}

std::vector<int64_t> intArray(napi_env env, napi_value value) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "is_typedarray");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (isTyped) check(env, napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr), "get_typedarray_info");
  if (!isTyped || type != napi_int32_array) throw std::invalid_argument("expected an Int32Array of attributes");
  const int32_t* ints = static_cast<const int32_t*>(data);
  return std::vector<int64_t>(ints, ints + length);
}

int32_t intValue(napi_env env, napi_value value) {
  int32_t out = 0;
  check(env, napi_get_value_int32(env, value, &out), "get_value_int32 (expected a number)");
  return out;
}

void checkLength(const char* what, size_t length, int64_t needed) {
  if (needed < 0 || static_cast<int64_t>(length) < needed) {
    throw std::invalid_argument(std::string(what) + " holds " + std::to_string(length) + " values, needs " + std::to_string(needed));
  }
}

napi_value undefinedValue(napi_env env) {
  napi_value out;
  napi_get_undefined(env, &out);
  return out;
}

napi_value guarded(napi_env env, const char* name, napi_value (*body)(napi_env, napi_callback_info), napi_callback_info info) {
  try {
    return body(env, info);
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string(name) + ": oneDNN: " + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string(name) + ": " + e.what()).c_str());
  }
  return nullptr;
}

}  // namespace ssseg

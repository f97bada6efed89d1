// Shared helpers of the addon: the oneDNN engine and stream, typed-array access without copies,
// and the wrapper that turns C++ exceptions into JavaScript errors.
#pragma once
#include <node_api.h>
#include <dnnl.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ssseg {

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

// The callback's arguments; throws when fewer than `expected` were passed.
std::vector<napi_value> arguments(napi_env env, napi_callback_info info, size_t expected);

// The data of a Float32Array argument, in place; `length` receives its element count.
float* floatArray(napi_env env, napi_value value, size_t* length);

// An Int32Array argument copied into int64 values (shapes and attributes).
std::vector<int64_t> intArray(napi_env env, napi_value value);

int32_t intValue(napi_env env, napi_value value);

// Throws when a buffer holds fewer than `needed` elements, naming it.
void checkLength(const char* what, size_t length, int64_t needed);

napi_value undefinedValue(napi_env env);

// Runs `body`, reporting any exception as a JavaScript Error.
napi_value guarded(napi_env env, const char* name, napi_value (*body)(napi_env, napi_callback_info), napi_callback_info info);

}  // namespace ssseg

#define SSSEG_EXPORT(name)                                                 \
  napi_value name(napi_env env, napi_callback_info info) {                 \
    return ssseg::guarded(env, #name, name##Body, info);                   \
  }

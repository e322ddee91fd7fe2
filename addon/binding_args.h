// Argument checks and error reporting shared by the Node-API surface (binding.cc and
// binding_inspect.cc): conversions only, no OS calls.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/types.h"
#include "core/wire.h"

namespace proactor {

inline uint32_t U32(Napi::Env env, Napi::Value arg, const char* name) {
  if (!arg.IsNumber()) throw Napi::TypeError::New(env, std::string("proactor: ") + name + " must be a number");
  double value = arg.As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value <= 4294967295.0) || value != static_cast<double>(static_cast<uint64_t>(value))) {
    throw Napi::RangeError::New(env, std::string("proactor: ") + name + " is out of range");
  }
  return static_cast<uint32_t>(value);
}

inline uint32_t ArgU32(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return U32(info.Env(), info[index], name);
}

inline double ArgId(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string("proactor: ") + name + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

// Where a failed call leaves its error for JS: uvError and sysError in `scratch`; returns -1.
inline Napi::Value Failed(Napi::Env env, double* scratch, SysError error) {
  scratch[wire::kScratchUvError] = error.uv;
  scratch[wire::kScratchSysError] = error.sys;
  return Napi::Number::New(env, -1);
}

inline std::string ArgString(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (!info[index].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string("proactor: ") + name + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

// The module's functions that can fail report in the module's scratch, which each gets as its
// function data (one per environment: a worker loads the module afresh).
inline double* ModuleScratch(const Napi::CallbackInfo& info) { return static_cast<double*>(info.Data()); }

#ifdef _WIN32
// binding_inspect.cc: listPipes, queryPipe and processImagePath (Windows only; lib/inspect reads
// /proc on Linux).
void ExportPipeInspection(Napi::Env env, Napi::Object exports, double* scratch);
#endif

}  // namespace proactor

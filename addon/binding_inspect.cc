// The Node-API surface of pipe inspection (core/pipe_inspect.h), Windows only: on Linux the
// same facts come from /proc, read in JS (lib/inspect). Conversions only; failures return -1
// with the error in the module's scratch, as the module's other functions do.
#ifdef _WIN32
#include <napi.h>

#include <string>
#include <vector>

#include "binding_args.h"
#include "core/pipe_inspect.h"

namespace proactor {
namespace {

// [{ name, instances, maxInstances }, ...], or -1.
Napi::Value ListPipesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<PipeListing> pipes;
  SysError error = ListPipes(&pipes);
  if (error.failed()) return Failed(env, ModuleScratch(info), error);
  Napi::Array result = Napi::Array::New(env, pipes.size());
  for (size_t i = 0; i < pipes.size(); i++) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", pipes[i].name);
    entry.Set("instances", static_cast<double>(pipes[i].instances));
    entry.Set("maxInstances", static_cast<double>(pipes[i].maxInstances));
    result[static_cast<uint32_t>(i)] = entry;
  }
  return result;
}

// { serverPid, instances, maxInstances, owner, sddl } (0 and '' where the OS did not say), or -1.
Napi::Value QueryPipeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PipeDetails details;
  SysError error = QueryPipe(ArgString(info, 0, "path"), &details);
  if (error.failed()) return Failed(env, ModuleScratch(info), error);
  Napi::Object result = Napi::Object::New(env);
  result.Set("serverPid", details.serverPid);
  result.Set("instances", details.instances);
  result.Set("maxInstances", details.maxInstances);
  result.Set("owner", details.owner);
  result.Set("sddl", details.sddl);
  return result;
}

// The image path, or -1.
Napi::Value ProcessImagePathJs(const Napi::CallbackInfo& info) {
  std::string path;
  SysError error = ProcessImagePath(ArgU32(info, 0, "pid"), &path);
  if (error.failed()) return Failed(info.Env(), ModuleScratch(info), error);
  return Napi::String::New(info.Env(), path);
}

}  // namespace

void ExportPipeInspection(Napi::Env env, Napi::Object exports, double* scratch) {
  exports.Set("listPipes", Napi::Function::New(env, ListPipesJs, "listPipes", scratch));
  exports.Set("queryPipe", Napi::Function::New(env, QueryPipeJs, "queryPipe", scratch));
  exports.Set("processImagePath", Napi::Function::New(env, ProcessImagePathJs, "processImagePath", scratch));
}

}  // namespace proactor
#endif

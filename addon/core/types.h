// Plain values shared by the core and both backends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

namespace proactor {

using OpId = uint64_t;
using HandleId = uint32_t;

// A failed system call, as JS will see it: `uv` is the libuv-style negative errno of the running
// platform (so util.getSystemErrorName() names it), `sys` the raw code (Win32 error / errno).
struct SysError {
  int32_t uv = 0;
  int32_t sys = 0;
  bool failed() const noexcept { return uv != 0; }
};

enum class OpKind : uint8_t {
  kAccept = 1,
  kRecv = 2,
  kSend = 3,
  kWaitHandle = 4,   // a waitable handle / pollable fd becomes signalled; value 1
  kWaitProcess = 5,  // a process exits; value: exit code, -signal, or NaN when unknown
  kFlush = 6,        // everything written so far has been read by the peer (or the peer is gone)
};

inline bool IsWait(OpKind kind) noexcept { return kind == OpKind::kWaitHandle || kind == OpKind::kWaitProcess; }

// The operation's name as the public API calls it (Proactor's method), for close()'s report.
const char* OpKindName(OpKind kind) noexcept;

// An OS handle (Windows HANDLE / Linux fd) the engine owns. Each backend derives its own
// handle type whose destructor closes what it still holds (RAII).
struct Operation;

struct Handle {
  virtual ~Handle() = default;
  HandleId id = 0;  // given by the core when it registers the handle; 0 until then
  bool ref = true;  // keeps the event loop alive while it has pending operations (JS thread)
  // The core's list of this handle's operations in flight (JS thread only), so closing or
  // cancelling one handle costs its own operations, not every operation of the engine.
  std::unordered_set<Operation*> pending;
};

// The result of an operation: a byte count (or other number), or an error. A finished accept
// also carries the connected handle; the core registers it and reports its id as the value.
struct Outcome {
  double value = 0;
  SysError error;
  std::shared_ptr<Handle> handle;
};

// What a backend's start call says: finished now (L2: no completion will follow), or pending
// (exactly one completion will follow, whatever happens to the operation meanwhile).
struct StartResult {
  bool pending = false;
  Outcome outcome;
  static StartResult Pending() { return StartResult{true, {}}; }
  static StartResult Done(Outcome outcome) { return StartResult{false, std::move(outcome)}; }
};

// One completion as the backend saw it; Backend::ResultOf turns it into the operation's Outcome.
// `token` names the operation (Windows: its OVERLAPPED address; Linux: its id); the core looks
// it up before anything touches the operation (L4). Linux fills `bytes`/`error`/`handle` when it
// does the I/O; Windows leaves the result in the OVERLAPPED for the JS thread to read.
struct Completion {
  uintptr_t token = 0;
  uint64_t bytes = 0;
  SysError error;
  std::shared_ptr<Handle> handle;
};

struct PipeInstanceOptions {
  std::string path;  // UTF-8
  bool first = true;
  uint32_t maxInstances = 0;  // 0: unlimited
  uint32_t backlog = 511;
  uint32_t bufferSize = 262144;
  bool rejectRemoteClients = true;
  // Who may connect. Windows: a DACL (an explicit SDDL wins over the flags); Linux: the socket
  // file's mode, set before listen() so no client can slip in under the default one.
  bool currentUserOnly = false;  // Windows: only this user's SID; Linux: mode 0600
  bool readableAll = false;      // as node:net's listen({ readableAll })
  bool writableAll = false;      // as node:net's listen({ writableAll })
  std::string sddl;              // Windows only
};

}  // namespace proactor

// libuv on Windows, as far as loop_port.cc relies on it: the few structures libuv's loop reads
// when it dequeues a packet from its completion port, and the functions we call, looked up in the
// host exe at run time.
//
// Node-API ships no uv.h. These layouts are libuv v1's public ABI (uv.h and uv/win.h declare
// them, and programs embed uv_async_t and uv_req_t by value, so a v1 release cannot move their
// fields), checked here at compile time for x64 and by LoopPort::Open against a live handle
// before anything relies on them. The functions are exported by node.exe and by hosts that embed
// Node (Electron's exe, Code.exe); a host that lacks one makes LoopPort::Open fail, and the
// backend falls back to its own port and poller thread.
#pragma once

#include <windows.h>

#include <cstddef>

struct uv_loop_s;

namespace proactor::uv {

// uv_req_t.
struct Req {
  void* data;
  int type;  // uv_req_type
  void* reserved[6];
  union {
    struct {
      OVERLAPPED overlapped;
      size_t queuedBytes;
    } io;
    struct {
      ULONG_PTR result;
      HANDLE pipeHandle;
      DWORD duplexFlags;
      WCHAR* name;
    } connect;
  } u;
  Req* nextReq;
};

struct Async;
using AsyncCallback = void (*)(Async* handle);

// uv_async_t: the handle fields, then the async's own wake-up request and callback.
struct Async {
  void* data;
  uv_loop_s* loop;
  int type;  // uv_handle_type
  void* closeCallback;
  void* handleQueue[2];
  union {
    int fd;
    void* reserved[4];
  } u;
  void* endgameNext;
  unsigned int flags;
  Req asyncReq;
  AsyncCallback asyncCallback;
  char volatile asyncSent;
};

// The start of uv_loop_t, up to the loop's completion port.
struct LoopHead {
  void* data;
  unsigned int activeHandles;
  void* handleQueue[2];
  union {
    void* unused;
    unsigned int count;
  } activeReqs;
  void* internalFields;
  unsigned int stopFlag;
  HANDLE iocp;
};

#if defined(_WIN64)
static_assert(sizeof(Req) == 112 && offsetof(Req, u) == 64 && offsetof(Req, nextReq) == 104, "uv_req_t, x64");
static_assert(sizeof(Async) == 224 && offsetof(Async, flags) == 88 && offsetof(Async, asyncReq) == 96 &&
                  offsetof(Async, asyncCallback) == 208,
              "uv_async_t, x64");
static_assert(offsetof(LoopHead, activeHandles) == 8 && offsetof(LoopHead, iocp) == 56, "uv_loop_t, x64");
#endif

// uv_handle_type and uv_req_type values that v1 fixes (the public ones; UV_WAKEUP, a private
// one, is read from a live handle instead).
constexpr int kAsyncHandle = 1;  // UV_ASYNC
constexpr int kCheckHandle = 2;  // UV_CHECK
constexpr int kPlainReq = 1;     // UV_REQ

using CloseCallback = void (*)(void* handle);
using CheckCallback = void (*)(void* handle);

// The libuv functions we call, from the host exe.
struct Functions {
  size_t (*handleSize)(int type) = nullptr;
  size_t (*reqSize)(int type) = nullptr;
  int (*asyncInit)(uv_loop_s* loop, Async* handle, AsyncCallback callback) = nullptr;
  int (*checkInit)(uv_loop_s* loop, void* check) = nullptr;
  int (*checkStart)(void* check, CheckCallback callback) = nullptr;
  int (*checkStop)(void* check) = nullptr;
  void (*close)(void* handle, CloseCallback callback) = nullptr;
  void (*unref)(void* handle) = nullptr;

  bool Complete() const noexcept {
    return handleSize && reqSize && asyncInit && checkInit && checkStart && checkStop && close && unref;
  }
};

// Looked up once per process; members are null where the host exports no such function.
const Functions& HostFunctions() noexcept;

}  // namespace proactor::uv

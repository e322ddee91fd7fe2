#include "win/wait_packets.h"

#include <winternl.h>

#include "win/errors.h"

namespace proactor {

namespace {

constexpr NTSTATUS kStatusSuccess = 0;
constexpr ULONG_PTR kStatusCancelled = 0xC0000120;  // STATUS_CANCELLED

using CreateFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, PVOID);
using AssociateFn = NTSTATUS(NTAPI*)(HANDLE, HANDLE, HANDLE, PVOID, PVOID, NTSTATUS, ULONG_PTR, PBOOLEAN);
using CancelFn = NTSTATUS(NTAPI*)(HANDLE, BOOLEAN);

struct NtWaitPackets {
  CreateFn create = nullptr;
  AssociateFn associate = nullptr;
  CancelFn cancel = nullptr;
};

template <typename Fn>
Fn Lookup(HMODULE module, const char* name) {
  return reinterpret_cast<Fn>(reinterpret_cast<void*>(::GetProcAddress(module, name)));
}

const NtWaitPackets& Functions() {
  static const NtWaitPackets functions = [] {
    NtWaitPackets found;
    HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
    if (ntdll == nullptr) return found;
    found.create = Lookup<CreateFn>(ntdll, "NtCreateWaitCompletionPacket");
    found.associate = Lookup<AssociateFn>(ntdll, "NtAssociateWaitCompletionPacket");
    found.cancel = Lookup<CancelFn>(ntdll, "NtCancelWaitCompletionPacket");
    return found;
  }();
  return functions;
}

SysError NtError(NTSTATUS status) { return Win32Error(NtStatusToWin32(status)); }

}  // namespace

bool WaitPackets::Available() noexcept {
  const auto& nt = Functions();
  return nt.create != nullptr && nt.associate != nullptr && nt.cancel != nullptr;
}

SysError WaitPackets::Arm(WinOperation& op) {
  const auto& nt = Functions();
  HANDLE packet = nullptr;
  NTSTATUS status = nt.create(&packet, GENERIC_ALL, nullptr);
  if (status != kStatusSuccess) return NtError(status);
  op.waitPacket = UniqueHandle(packet);
  op.Overlapped().Internal = 0;
  // The packet arrives as if from I/O on `&op.Overlapped()`, carrying 1 byte: "signalled".
  BOOLEAN alreadySignalled = FALSE;
  status = nt.associate(packet, op.port, op.waitObject.Get(), nullptr, &op.Overlapped(), kStatusSuccess, 1,
                        &alreadySignalled);
  if (status != kStatusSuccess) return NtError(status);
  op.waitEngine = this;
  return {};
}

void WaitPackets::Cancel(WinOperation& op) {
  const NTSTATUS status = Functions().cancel(op.waitPacket.Get(), TRUE);
  if (status == kStatusSuccess) {
    op.Overlapped().Internal = kStatusCancelled;
    ::PostQueuedCompletionStatus(op.port, 0, 0, &op.Overlapped());
  }
}

}  // namespace proactor

/*
 * A stand-in for Windows' bcryptprimitives.dll, for the Windows test leg under Wine only.
 *
 * Rollup's win32 binary (Rust's standard library since 1.78) imports ProcessPrng from
 * bcryptprimitives.dll. Wine 8 has no such DLL, so loading rollup fails with "Module not found"
 * before vitest can start. This DLL exports that one function and nothing else. It is never
 * shipped: scripts/windows/provision.mjs builds it into .cache/windows/ and installs it in the
 * test leg's own Wine prefix.
 */
#include <windows.h>

/* RtlGenRandom is exported by advapi32 under the name SystemFunction036. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* Same contract as Windows: fill `data` with `size` cryptographically random bytes. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size) {
  /* SIZE_T may exceed what one RtlGenRandom call (ULONG length) accepts. */
  const ULONG maxChunk = 0x10000000;
  while (size > 0) {
    ULONG chunk = size > maxChunk ? maxChunk : (ULONG)size;
    if (!SystemFunction036(data, chunk)) return FALSE;
    data += chunk;
    size -= chunk;
  }
  return TRUE;
}

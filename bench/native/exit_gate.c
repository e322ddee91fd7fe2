// The children of the many-exits scenario on Windows: the cheapest process that can wait for a
// common moment (only kernel32 and msvcrt, both Wine builtins; about 26 ms to start under Wine).
//
//   exit_gate.exe <name>             opens (or creates) the manual-reset event <name>, counts
//                                    itself ready on the semaphore <name>-ready, waits for the
//                                    event, exits 0.
//   exit_gate.exe --set <name> <n>   waits until <n> children are ready, sets the event, prints
//                                    the moment it did so (ms since 1970, to the µs) and stays
//                                    until its stdin closes, holding the event set.
#include <stdio.h>
#include <wchar.h>
#include <windows.h>

static HANDLE Ready(const wchar_t* name) {
  wchar_t ready[300];
  _snwprintf(ready, 300, L"%ls-ready", name);
  ready[299] = 0;
  return CreateSemaphoreW(NULL, 0, 0x7fffffff, ready);
}

int wmain(int argc, wchar_t** argv) {
  const int set = argc == 4 && wcscmp(argv[1], L"--set") == 0;
  if (!set && argc != 2) return 2;
  const wchar_t* name = argv[set ? 2 : 1];
  HANDLE event = CreateEventW(NULL, TRUE, FALSE, name);
  HANDLE ready = Ready(name);
  if (event == NULL || ready == NULL) return 3;
  if (!set) {
    ReleaseSemaphore(ready, 1, NULL);
    WaitForSingleObject(event, INFINITE);
    return 0;
  }
  for (long n = wcstol(argv[3], NULL, 10); n > 0; n--) WaitForSingleObject(ready, INFINITE);
  FILETIME now;
  GetSystemTimePreciseAsFileTime(&now);
  SetEvent(event);
  const ULONGLONG ticks = ((ULONGLONG)now.dwHighDateTime << 32) | now.dwLowDateTime;  // 100 ns since 1601
  printf("%.3f\n", (double)(ticks - 116444736000000000ULL) / 10000.0);
  fflush(stdout);
  char byte;
  DWORD got;
  while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), &byte, 1, &got, NULL) && got > 0) {
  }
  return 0;
}

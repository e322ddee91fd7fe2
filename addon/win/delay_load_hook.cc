// Node-API functions live in the exe that hosts Node: node.exe, but also Code.exe, electron.exe
// or any app embedding Node. The import library (made from node-api-headers' node_api.def) names
// NODE.EXE, so a plain import makes Windows look for a file called node.exe, and the addon fails
// to load (ERR_DLOPEN_FAILED) in every host with another name.
//
// The build delay-loads those imports (CMakeLists.txt). The first call into Node-API, during
// module registration, reaches the delay-load helper, which asks this hook before it loads the
// DLL: we answer with the process's own exe, the one that is running us, whatever its name. Any
// other delay-loaded DLL (there is none today) goes the normal way.
#include <windows.h>

#include <delayimp.h>

namespace {

FARPROC WINAPI ResolveNodeToHost(unsigned notification, PDelayLoadInfo info) {
  if (notification != dliNotePreLoadLibrary || info == nullptr || info->szDll == nullptr) {
    return nullptr;
  }
  if (lstrcmpiA(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}

}  // namespace

// The helper reads this one global. Its declaration is const in MSVC's delayimp.h and not in
// mingw-w64's; decltype takes whichever the header says.
extern "C" decltype(__pfnDliNotifyHook2) __pfnDliNotifyHook2 = ResolveNodeToHost;

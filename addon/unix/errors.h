#pragma once

#include <cerrno>

#include "core/types.h"

namespace proactor {

// On Unix, libuv's error numbers are the negated errno values.
inline SysError ErrnoError(int code) noexcept { return SysError{-code, code}; }
inline SysError LastErrnoError() noexcept { return ErrnoError(errno); }

}  // namespace proactor

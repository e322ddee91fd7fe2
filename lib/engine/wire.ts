// The layout of what the addon and JS share, by name: the twin of addon/core/wire.h. A change
// here is a change there, and the other way round.

/**
 * The scratch slots (a Float64Array the addon writes and JS reads, so a call that fails or
 * finishes at once allocates nothing): a start call that returns 0 leaves its value and error
 * here; a handle call that returns -1 leaves its error here.
 */
export const SCRATCH_VALUE = 0;
/** libuv's error number (negative), or 0 for success. */
export const SCRATCH_UV_ERROR = 1;
/** The OS's own error: the Win32 error code, or errno on Linux. */
export const SCRATCH_SYS_ERROR = 2;

/** A batch of completions is a flat array of records of this many numbers each. */
export const COMPLETION_STRIDE = 4;
/** The record's fields: the operation id, then as the scratch slots: value, uvError, sysError. */
export const COMPLETION_ID = 0;
export const COMPLETION_VALUE = 1;
export const COMPLETION_UV_ERROR = 2;
export const COMPLETION_SYS_ERROR = 3;

/** `stats()`'s Float64Array, by position. */
export const STATS_PENDING = 0;
export const STATS_COMPLETED = 1;
export const STATS_CANCELLED = 2;
export const STATS_UNEXPECTED = 3;
export const STATS_BATCHES = 4;
export const STATS_LENGTH = 5;
